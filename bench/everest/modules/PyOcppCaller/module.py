#!/usr/bin/env python3
"""PyOcppCaller: an everestpy module that calls an `ocpp` provider (TsOcpp, PyOcppProvider, ...)
under a real EVerest manager and measures it.

For each of get_variables, set_variables and security_event it runs
  warm-up   (not recorded),
  sequential (one call after the other),
  parallel  (N threads calling for S seconds),
and records p50/p99/mean/max latency in ms and calls/s per phase. The result is written atomically
(temp file + rename) as JSON to env TSOCPP_BENCH_OUT, else to the module config key `bench_out`, else to
/tmp/tsocpp-bench.json. Then the module exits (unless told not to), which makes the manager stop.

Env knobs (all optional):
  TSOCPP_BENCH_OUT       results file
  TSOCPP_BENCH_SMOKE=1   smoke mode: 20 calls per phase (warm-up 2), 1 thread for 1 s, answers checked
  TSOCPP_BENCH_EXIT=0|1  exit after writing (default: config exit_when_done, true)
  TSOCPP_BENCH_WARMUP, TSOCPP_BENCH_CALLS, TSOCPP_BENCH_THREADS, TSOCPP_BENCH_SECONDS  override the sizes
  TSOCPP_BENCH_CHECK=1   check answer shapes outside smoke mode too
  TSOCPP_BENCH_SECURITY_EVENT_FORM=event|flat   force the security_event argument form
  TSOCPP_BENCH_TIMEOUT   seconds before the watchdog writes what it has and exits (default 900)

The everestpy API used here (RuntimeSession, Module, say_hello, init_done(on_ready), call_command,
Fulfillment, setup.connections, setup.configs.module, log) is the same in everest-framework v0.20.3,
v0.24.0 and v0.25.0. A failed command raises RuntimeError from v0.23 on; v0.20 returns None instead,
which the shape check records as an error.
"""

import json
import os
import re
import sys
import tempfile
import threading
import time
import traceback

from everest.framework import Module, RuntimeSession, log

try:
    from everest.framework import __version__ as EVERESTPY_VERSION
except ImportError:  # pragma: no cover
    EVERESTPY_VERSION = "unknown"

MAX_ERRORS_KEPT = 50
COMPONENT = {"name": "OCPPCommCtrlr"}
VARIABLE = {"name": "HeartbeatInterval"}


def env_flag(name):
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_number(name, default, kind=int):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return kind(value)


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, int(-(-fraction * len(sorted_values) // 1)))  # ceil
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(latencies_ns, elapsed_s, calls, errors, extra=None):
    ordered = sorted(latencies_ns)
    to_ms = lambda ns: None if ns is None else round(ns / 1e6, 4)
    out = {
        "calls": calls,
        "errors": errors,
        "duration_s": round(elapsed_s, 4),
        "calls_per_s": round(calls / elapsed_s, 1) if elapsed_s > 0 else None,
        "p50_ms": to_ms(percentile(ordered, 0.50)),
        "p99_ms": to_ms(percentile(ordered, 0.99)),
        "mean_ms": to_ms(sum(ordered) / len(ordered)) if ordered else None,
        "min_ms": to_ms(ordered[0]) if ordered else None,
        "max_ms": to_ms(ordered[-1]) if ordered else None,
    }
    if extra:
        out.update(extra)
    return out


# ---------------------------------------------------------------------------------------------------
# Reading the interface definition the manager uses (to pick the security_event argument form)
# ---------------------------------------------------------------------------------------------------

def command_arguments_from_yaml_text(text, command):
    """Argument names of `cmds.<command>.arguments` in an interface YAML file.

    Uses PyYAML when it is importable; otherwise a small indentation scan that is enough for EVerest
    interface files (block mappings only). Returns None when the command is not found."""
    try:
        import yaml  # type: ignore

        doc = yaml.safe_load(text) or {}
        cmd = (doc.get("cmds") or {}).get(command)
        if cmd is None:
            return None
        return list((cmd.get("arguments") or {}).keys())
    except ImportError:
        pass

    key_re = re.compile(r"^( *)([A-Za-z_][A-Za-z0-9_.-]*):(.*)$")
    path = []  # stack of (indent, key)
    args = None
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        m = key_re.match(raw)
        if not m:
            continue
        indent, key = len(m.group(1)), m.group(2)
        while path and path[-1][0] >= indent:
            path.pop()
        keys = [k for _, k in path]
        if keys == ["cmds"] and key == command:
            args = []
        elif keys == ["cmds", command, "arguments"] and args is not None:
            args.append(key)
        path.append((indent, key))
    return args


def find_interface_file(module, name):
    candidates = []
    prefix = os.environ.get("EV_PREFIX")
    if prefix:
        candidates.append(os.path.join(prefix, "share", "everest", "interfaces", name + ".yaml"))
    try:
        share = str(module.info.paths.share)
        # paths.share is <prefix>/share/everest/modules/<Name> (or similar): walk up to share/everest
        probe = share
        for _ in range(4):
            candidates.append(os.path.join(probe, "interfaces", name + ".yaml"))
            probe = os.path.dirname(probe)
    except Exception:  # noqa: BLE001
        pass
    for path in candidates:
        if os.path.isfile(path):
            return path
    return None


# ---------------------------------------------------------------------------------------------------
# The caller
# ---------------------------------------------------------------------------------------------------

class Caller:
    def __init__(self):
        self.session = RuntimeSession()
        self.module = Module(self.session)
        self.setup = self.module.say_hello()
        self.done = threading.Event()
        self.exit_code = 0
        self.errors = []
        self.error_count = 0
        self.errors_lock = threading.Lock()
        self.written = False
        self.write_lock = threading.Lock()

        cfg = {}
        try:
            cfg = dict(self.setup.configs.module or {})
        except Exception:  # noqa: BLE001
            cfg = {}
        self.cfg = cfg

        smoke = env_flag("TSOCPP_BENCH_SMOKE")
        self.smoke = bool(cfg.get("smoke", False)) if smoke is None else smoke
        exit_flag = env_flag("TSOCPP_BENCH_EXIT")
        self.exit_when_done = bool(cfg.get("exit_when_done", True)) if exit_flag is None else exit_flag
        self.out_path = os.environ.get("TSOCPP_BENCH_OUT") or cfg.get("bench_out") or "/tmp/tsocpp-bench.json"

        if self.smoke:
            warmup, calls, threads, seconds = 2, 20, 1, 1.0
        else:
            # 2000 warm-up calls (about a second): a JIT-compiled provider (Node) reaches its steady state;
            # with 100 its first measured phase still carried compilation. Both providers get the same.
            warmup, calls, threads, seconds = 2000, 1000, 16, 5.0
        self.warmup = env_number("TSOCPP_BENCH_WARMUP", warmup)
        self.calls = env_number("TSOCPP_BENCH_CALLS", calls)
        self.threads = env_number("TSOCPP_BENCH_THREADS", threads)
        self.seconds = env_number("TSOCPP_BENCH_SECONDS", seconds, float)
        check = env_flag("TSOCPP_BENCH_CHECK")
        self.check_shapes = self.smoke if check is None else check
        self.timeout_s = env_number("TSOCPP_BENCH_TIMEOUT", 900.0, float)

        conns = self.setup.connections
        ocpp = list(conns["ocpp"]) if "ocpp" in conns else []
        if not ocpp:
            raise RuntimeError("requirement 'ocpp' is not connected in the config")
        self.ocpp = ocpp[0]
        dts = list(conns["data_transfer"]) if "data_transfer" in conns else []
        self.data_transfer = dts[0] if dts else None

        self.security_event_form, self.security_event_form_source = self.pick_security_event_form()
        self.set_variables_args = self.command_args("set_variables")
        self.result = {
            "tool": "PyOcppCaller",
            "everestpy_version": EVERESTPY_VERSION,
            "python": sys.version.split()[0],
            "module_id": self.module.info.id,
            "provider": {"module_id": self.ocpp.module_id, "implementation_id": self.ocpp.implementation_id},
            "data_transfer_provider": None if self.data_transfer is None else {
                "module_id": self.data_transfer.module_id,
                "implementation_id": self.data_transfer.implementation_id},
            "smoke": self.smoke,
            "params": {"warmup": self.warmup, "sequential_calls": self.calls, "threads": self.threads,
                       "parallel_seconds": self.seconds, "check_shapes": self.check_shapes},
            "security_event_form": self.security_event_form,
            "security_event_form_source": self.security_event_form_source,
            "set_variables_arguments": self.set_variables_args,
            "status": "running",
            "phases": {},
            "checks": {},
        }

    # -- interface handling ------------------------------------------------------------------------

    def command_args(self, command):
        path = find_interface_file(self.module, "ocpp")
        if path is None:
            return None
        try:
            with open(path, "r", encoding="utf-8") as f:
                return command_arguments_from_yaml_text(f.read(), command)
        except OSError:
            return None

    def pick_security_event_form(self):
        forced = os.environ.get("TSOCPP_BENCH_SECURITY_EVENT_FORM")
        if forced in ("event", "flat"):
            return forced, "env"
        args = self.command_args("security_event")
        if args is None:
            log.warning("PyOcppCaller: ocpp interface definition not found; assuming security_event(type, info)")
            return "flat", "default"
        if "event" in args:
            return "event", "interface definition"
        return "flat", "interface definition"

    # -- calls -------------------------------------------------------------------------------------

    def get_variables_args(self):
        return {"requests": [{"component_variable": {"component": dict(COMPONENT), "variable": dict(VARIABLE)}}]}

    def set_variables_call_args(self):
        args = {"requests": [{"component_variable": {"component": dict(COMPONENT), "variable": dict(VARIABLE)},
                              "value": "60"}]}
        if self.set_variables_args and "source" in self.set_variables_args:
            args["source"] = "PyOcppCaller"
        return args

    def security_event_args(self, n):
        event = {"type": "TsOcppBenchEvent", "info": "PyOcppCaller call %d" % n}
        if self.security_event_form == "event":
            return {"event": event}
        return event

    def record_error(self, phase, command, message):
        with self.errors_lock:
            self.error_count += 1
            if len(self.errors) < MAX_ERRORS_KEPT:
                self.errors.append({"phase": phase, "cmd": command, "error": message})

    @staticmethod
    def check_result_list(command, result):
        """None when the answer has the expected shape, else a description of what is wrong."""
        if not isinstance(result, list):
            return "%s: expected a list of results, got %s" % (command, json.dumps(result)[:200])
        if len(result) != 1:
            return "%s: expected 1 result, got %d" % (command, len(result))
        item = result[0]
        if not isinstance(item, dict) or not isinstance(item.get("status"), str):
            return "%s: result without a string status: %s" % (command, json.dumps(item)[:200])
        if not isinstance(item.get("component_variable"), dict):
            return "%s: result without component_variable: %s" % (command, json.dumps(item)[:200])
        return None

    def check(self, command, result):
        if command in ("get_variables", "set_variables"):
            return self.check_result_list(command, result)
        if command == "security_event":
            return None if result is None else "security_event: expected no result, got %s" % json.dumps(result)[:200]
        return None

    def make_call(self, command):
        fulfillment = self.ocpp
        if command == "get_variables":
            static_args = self.get_variables_args()
            return lambda n: self.module.call_command(fulfillment, "get_variables", static_args)
        if command == "set_variables":
            static_args = self.set_variables_call_args()
            return lambda n: self.module.call_command(fulfillment, "set_variables", static_args)
        if command == "security_event":
            return lambda n: self.module.call_command(fulfillment, "security_event", self.security_event_args(n))
        raise ValueError(command)

    def one(self, phase, command, call, n, latencies, status_counts):
        t0 = time.perf_counter_ns()
        try:
            result = call(n)
        except Exception as e:  # noqa: BLE001  (everestpy raises RuntimeError for error answers)
            latencies.append(time.perf_counter_ns() - t0)
            self.record_error(phase, command, "%s: %s" % (type(e).__name__, e))
            return False
        latencies.append(time.perf_counter_ns() - t0)
        if self.check_shapes:
            problem = self.check(command, result)
            if problem:
                self.record_error(phase, command, problem)
                return False
            if isinstance(result, list) and result and isinstance(result[0], dict):
                status = result[0].get("status")
                status_counts[status] = status_counts.get(status, 0) + 1
        return True

    def run_command(self, command):
        call = self.make_call(command)
        phases = {}

        # warm-up
        lat, statuses, errors = [], {}, 0
        t0 = time.perf_counter()
        for n in range(self.warmup):
            errors += 0 if self.one("warmup", command, call, n, lat, statuses) else 1
        phases["warmup"] = {"calls": self.warmup, "errors": errors,
                            "duration_s": round(time.perf_counter() - t0, 4)}

        # sequential
        lat, statuses, errors = [], {}, 0
        t0 = time.perf_counter()
        for n in range(self.calls):
            errors += 0 if self.one("sequential", command, call, n, lat, statuses) else 1
        elapsed = time.perf_counter() - t0
        extra = {"statuses": statuses} if statuses else None
        phases["sequential"] = summarize(lat, elapsed, self.calls, errors, extra)

        # parallel
        per_thread = [([], {}, [0, 0]) for _ in range(self.threads)]  # latencies, statuses, [calls, errors]
        barrier = threading.Barrier(self.threads + 1)
        deadline_box = [0.0]

        def worker(index):
            lat_w, statuses_w, counts = per_thread[index]
            barrier.wait()
            n = index * 1_000_000
            while time.perf_counter() < deadline_box[0]:
                ok = self.one("parallel", command, call, n, lat_w, statuses_w)
                counts[0] += 1
                counts[1] += 0 if ok else 1
                n += 1

        workers = [threading.Thread(target=worker, args=(i,), daemon=True, name="bench-%d" % i)
                   for i in range(self.threads)]
        for w in workers:
            w.start()
        t0 = time.perf_counter()
        deadline_box[0] = t0 + self.seconds
        barrier.wait()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - t0
        all_lat, all_status, calls, errors = [], {}, 0, 0
        for lat_w, statuses_w, counts in per_thread:
            all_lat.extend(lat_w)
            calls += counts[0]
            errors += counts[1]
            for k, v in statuses_w.items():
                all_status[k] = all_status.get(k, 0) + v
        extra = {"threads": self.threads}
        if all_status:
            extra["statuses"] = all_status
        phases["parallel"] = summarize(all_lat, elapsed, calls, errors, extra)
        return phases

    def extra_checks(self):
        """One-off correctness checks: value read back after set, and data_transfer if connected."""
        checks = {}
        try:
            got = self.module.call_command(self.ocpp, "get_variables", self.get_variables_args())
            problem = self.check_result_list("get_variables", got)
            checks["get_after_set"] = {"answer": got, "ok": problem is None}
            if problem:
                self.record_error("checks", "get_variables", problem)
        except Exception as e:  # noqa: BLE001
            checks["get_after_set"] = {"error": str(e), "ok": False}
            self.record_error("checks", "get_variables", str(e))
        if self.data_transfer is not None:
            try:
                got = self.module.call_command(self.data_transfer, "data_transfer",
                                               {"request": {"vendor_id": "TsOcppBench", "message_id": "ping",
                                                            "data": "hello"}})
                ok = isinstance(got, dict) and isinstance(got.get("status"), str)
                checks["data_transfer"] = {"answer": got, "ok": ok}
                if not ok:
                    self.record_error("checks", "data_transfer", "no status in %s" % json.dumps(got)[:200])
            except Exception as e:  # noqa: BLE001
                checks["data_transfer"] = {"error": str(e), "ok": False}
                self.record_error("checks", "data_transfer", str(e))
        return checks

    # -- results -----------------------------------------------------------------------------------

    def write_results(self, status):
        with self.write_lock:
            if self.written:
                return
            self.written = True
            with self.errors_lock:
                self.result["errors"] = list(self.errors)
                self.result["error_count"] = self.error_count
            self.result["status"] = status
            self.result["ok"] = status == "done" and self.error_count == 0
            self.result["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            directory = os.path.dirname(os.path.abspath(self.out_path))
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tsocpp-bench-", suffix=".tmp", dir=directory)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.result, f, indent=2, sort_keys=False)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the driver may run as another user
            os.replace(tmp, self.out_path)
            log.info("PyOcppCaller: results (%s) written to %s" % (status, self.out_path))

    def run(self):
        self.result["started_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        log.info("PyOcppCaller: %s run against %s:%s (security_event form: %s)" % (
            "smoke" if self.smoke else "bench", self.ocpp.module_id, self.ocpp.implementation_id,
            self.security_event_form))
        status = "done"
        try:
            for command in ("get_variables", "set_variables", "security_event"):
                self.result["phases"][command] = self.run_command(command)
                seq = self.result["phases"][command]["sequential"]
                par = self.result["phases"][command]["parallel"]
                log.info("PyOcppCaller: %s seq p50 %s ms p99 %s ms %s/s; par(%d) p50 %s ms p99 %s ms %s/s" % (
                    command, seq["p50_ms"], seq["p99_ms"], seq["calls_per_s"], self.threads,
                    par["p50_ms"], par["p99_ms"], par["calls_per_s"]))
            self.result["checks"] = self.extra_checks()
        except Exception:  # noqa: BLE001
            status = "failed"
            self.record_error("run", "-", traceback.format_exc())
        self.write_results(status)
        self.exit_code = 0 if self.result["ok"] else 1
        self.done.set()

    def watchdog(self):
        if self.done.wait(self.timeout_s):
            return
        self.record_error("run", "-", "watchdog: no completion after %.0f s" % self.timeout_s)
        try:
            self.write_results("timeout")
        finally:
            self.exit_code = 2
            self.done.set()

    def on_ready(self):
        # on_ready runs on the framework's MQTT thread: the calls must not block it.
        threading.Thread(target=self.run, name="bench", daemon=True).start()
        threading.Thread(target=self.watchdog, name="bench-watchdog", daemon=True).start()


def main():
    caller = Caller()
    caller.module.init_done(caller.on_ready)
    while not caller.done.wait(1.0):
        pass
    if caller.exit_when_done:
        sys.stdout.flush()
        sys.stderr.flush()
        # os._exit: the framework's C++ threads would keep a normal interpreter exit waiting.
        os._exit(caller.exit_code)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
