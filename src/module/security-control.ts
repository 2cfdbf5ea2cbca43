// The CSMS link's SecurityControl (src/csms/security-control.ts) on the bus: the `security` requirement
// (evse_security), called as everest-core's OCPP201 EvseSecurity implementation calls it for libocpp. Both
// releases' interfaces are served: generate_certificate_signing_request answers a PEM string in 2023.12 and
// {status, csr} in 2026.02; the client certificate comes from get_leaf_certificate_info (2026.02) or get_key_pair
// (2023.12), whichever the definition in force declares; verify_certificate takes 2026.02's certificate_types list or
// 2023.12's single certificate_type; and so does the CSMS CA bundle (get_verify_file) when the
// module config names no csms_ca_file, once the bus is ready (the first connect of a profile-3
// link waits for global ready, bounded, so it has evse_security's certificate). undefined without a security connection: the link then
// keeps the PEM files of the module config and answers the certificate messages NotSupported.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log.js';
import type { EverestModule } from '../everest/module.js';
import type { ClientCertificate, SecurityControl } from '../csms/security-control.js';
import type * as es from '../generated/releases/2026.02.0/types/evse_security.js';
import type { TsOcppSpec } from './ocpp-module.js';
import {
  ALL_CERTIFICATE_ID_USES, busCertificateType, busHashData, caType, deleteStatus, installStatus, leafType, ocppHashDataChain,
} from './security-mapping.js';

const SECURITY = 'security';
/**
 * How long the first profile-3 connect waits for global ready before asking evse_security anyway: the link starts
 * before the bus is up, and a module's cmds may be called only from global ready on (everest-bus.md). A stack that
 * never gets ready must not keep the station off line: then the calls are made (and time out) as before.
 */
export const SECURITY_READY_WAIT_MS = 30_000;

interface KeyFiles {
  certificate?: string;
  key: string;
  password?: string;
}

export function securityControl(mod: EverestModule<TsOcppSpec>, log: Logger): SecurityControl | undefined {
  if (mod.connections(SECURITY).length === 0) return undefined;
  const call = (cmd: string, args: Record<string, unknown>): Promise<unknown> => mod.call(SECURITY, 0, cmd, args);
  // Settles at global ready or after the bound; every call waits for it (only the first connect ever does).
  const ready = mod.readyWithin(SECURITY_READY_WAIT_MS).then((isReady) => {
    if (!isReady) log.warn(`no global ready within ${SECURITY_READY_WAIT_MS} ms: asking evse_security for the CSMS client certificate anyway`);
  });
  const declares = (cmd: string): boolean | undefined => {
    const cmds = mod.requirementInterface(SECURITY)?.cmds;
    return cmds === undefined ? undefined : cmd in cmds;
  };

  /** The files of the CSMS leaf: 2026.02 get_leaf_certificate_info, else 2023.12 get_key_pair. */
  async function leafFiles(): Promise<KeyFiles | undefined> {
    if (declares('get_leaf_certificate_info') !== false) {
      const r = (await call('get_leaf_certificate_info', { certificate_type: 'CSMS', encoding: 'PEM', include_ocsp: false })) as es.GetCertificateInfoResult;
      if (r.status !== 'Accepted' || !r.info) return undefined;
      const certificate = r.info.certificate ?? r.info.certificate_single;
      return { key: r.info.key, ...(certificate !== undefined ? { certificate } : {}), ...(r.info.password !== undefined ? { password: r.info.password } : {}) };
    }
    const r = (await call('get_key_pair', { certificate_type: 'CSMS', encoding: 'PEM' })) as { status: string; key_pair?: KeyFiles };
    return r.status === 'Accepted' ? r.key_pair : undefined;
  }

  return {
    async generateCsr(use, s) {
      const r = await call('generate_certificate_signing_request', {
        certificate_type: leafType(use), country: s.country, organization: s.organization, common: s.common, use_tpm: s.useTpm,
      });
      if (typeof r === 'string') return r === '' ? { failed: 'GenerationError' } : { csr: r };
      const res = r as es.GetCertificateSignRequestResult;
      return res.status === 'Accepted' && typeof res.csr === 'string' ? { csr: res.csr } : { failed: res.status };
    },
    async updateLeafCertificate(chain, use) {
      return String(await call('update_leaf_certificate', { certificate_chain: chain, certificate_type: leafType(use) }));
    },
    async installCaCertificate(pem, use) {
      return installStatus(await call('install_ca_certificate', { certificate: pem, certificate_type: caType(use) }));
    },
    async deleteCertificate(hash) {
      return deleteStatus(await call('delete_certificate', { certificate_hash_data: busHashData(hash) }));
    },
    async installedCertificates(types) {
      const r = (await call('get_installed_certificates', { certificate_types: (types ?? ALL_CERTIFICATE_ID_USES).map(busCertificateType) })) as es.GetInstalledCertificatesResult;
      return (r.certificate_hash_data_chain ?? []).flatMap((c) => ocppHashDataChain(c) ?? []);
    },
    async verifyCertificate(pem, type) {
      // 2026.02: certificate_types (a list), CertificateValidationResult; 2023.12: certificate_type, an
      // InstallCertificateResult whose Accepted means valid.
      const args = mod.requirementInterface(SECURITY)?.cmds?.verify_certificate?.arguments;
      if (args !== undefined && 'certificate_type' in args) {
        const r = String(await call('verify_certificate', { certificate_chain: pem, certificate_type: type }));
        return r === 'Accepted' ? 'Valid' : r;
      }
      return String(await call('verify_certificate', { certificate_chain: pem, certificate_types: [type] }));
    },
    async csmsCaBundle() {
      await ready;
      try {
        // libocpp websocket_libwebsockets: only an installed CSMS CA is loaded (2026.02 asks get_verify_location, a
        // folder; get_verify_file, the bundle, is declared by both releases and is what OCPP201's docs name).
        if ((await call('is_ca_certificate_installed', { certificate_type: 'CSMS' })) !== true) return undefined;
        const file = await call('get_verify_file', { certificate_type: 'CSMS' });
        if (typeof file !== 'string' || file === '') return undefined;
        return await readFile(file);
      } catch (err) {
        log.error({ err }, 'evse_security: the CSMS CA bundle could not be read');
        return undefined;
      }
    },
    async leafExpiryDays(use) {
      const r = await call('get_leaf_expiry_days_count', { certificate_type: leafType(use) });
      if (typeof r !== 'number') throw new Error(`get_leaf_expiry_days_count answered ${typeof r}`);
      return r;
    },
    async clientCertificate(): Promise<ClientCertificate | undefined> {
      await ready;
      try {
        const files = await leafFiles();
        if (!files?.certificate) return undefined;
        const [cert, key] = await Promise.all([readFile(files.certificate), readFile(files.key)]);
        return { cert, key, ...(files.password ? { passphrase: files.password } : {}) };
      } catch (err) {
        log.error({ err }, 'evse_security: the CSMS client certificate could not be read');
        return undefined;
      }
    },
  };
}
