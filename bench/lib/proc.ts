// What /proc says about a process of this machine (Linux): resident memory and CPU time.
import { readdirSync, readFileSync } from 'node:fs';

/** VmRSS in MB, or NaN when the process is gone (or not on Linux). */
export function rssMb(pid: number): number {
  return statusKb(pid, 'VmRSS') / 1024;
}

/** The resident set split as the kernel counts it: anonymous (heap, stacks, malloc) and file-backed (node's binary, libraries), MB. */
export function rssPartsMb(pid: number): { anon: number; file: number } {
  return { anon: statusKb(pid, 'RssAnon') / 1024, file: statusKb(pid, 'RssFile') / 1024 };
}

/** VmHWM (peak resident set) in MB. */
export function peakRssMb(pid: number): number {
  return statusKb(pid, 'VmHWM') / 1024;
}

function statusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

// USER_HZ is 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
const TICK_MS = 10;

/** User + system CPU time of the process so far, ms (10 ms resolution). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/** Start time of the process, ms since boot (10 ms resolution). */
export function startedMsSinceBoot(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[19]) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/** Uptime of the machine, ms. */
export function uptimeMs(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
}

/** Parent pid and command line of every process (for finding what a manager spawned). */
export function processTable(): Array<{ pid: number; ppid: number; cmdline: string }> {
  const out: Array<{ pid: number; ppid: number; cmdline: string }> = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(e), ppid: Number(rest[1]), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Every descendant of `root`. */
export function descendants(root: number): Array<{ pid: number; ppid: number; cmdline: string }> {
  const table = processTable();
  const found: Array<{ pid: number; ppid: number; cmdline: string }> = [];
  const parents = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

export function loadAverage(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}
