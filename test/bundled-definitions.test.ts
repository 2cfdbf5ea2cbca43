// The bundled interface and type files are everest-core's, unedited. Each is pinned here by the tag and
// path it came from and by two checksums of its bytes: the git blob id (check against everest-core with
// `git rev-parse <tag>:<path>`) and sha256 (`git show <tag>:<path> | sha256sum`). An edit to a bundled
// file, or a file added or removed without a pin, fails a test naming the file. To move to another
// everest-core release, copy its files and change the pins (and run npm run codegen). interfaces/ and types/
// hold the base release (2023.12.0); releases/<tag>/interfaces and releases/<tag>/types hold the others.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot, relaxUnresolvedRefs } from '../src/schema/definitions.js';
import { BASE_RELEASE, BUNDLED_RELEASES, bundledRelease } from '../src/schema/releases.js';

interface Pin {
  tag: string;
  /** The last everest-core commit before the tag that changed the file. */
  commit: string;
  gitBlob: string;
  sha256: string;
}

const PINS: Record<string, Pin> = {
  'types/ocpp.yaml': {
    tag: '2023.12.0',
    commit: 'b9c36fd8a',
    gitBlob: 'a1ebd8b85272cdc21377972a9bf1168ce0c00cf2',
    sha256: 'c184810461073685a9554662964c613cdfd179f8a253c35f4ea90c9d1be70daf',
  },
  'interfaces/ocpp.yaml': {
    tag: '2023.12.0',
    commit: 'b9c36fd8a',
    gitBlob: '83bbbabcc7100c6c2e66ac4885ffc3ffd5d58413',
    sha256: 'bebfb870a17a5896b8d2c46473aa937e4bf1b56a058ff814b840f0386db04e9b',
  },
  'interfaces/ocpp_data_transfer.yaml': {
    tag: '2023.12.0',
    commit: 'dfb2ea5a3',
    gitBlob: '9152c9a85f39b5d6b1e14facdf4ec6c1876e6944',
    sha256: 'dec8974ba68bf9ef20ba68616873f714bd0a3255c6ea28fefc6f5c524666aebe',
  },
  'interfaces/evse_manager.yaml': {
    tag: '2023.12.0',
    commit: 'e194737f0',
    gitBlob: '82225b19ffec3873f1264112b53f7dc68423bf14',
    sha256: 'f7986ba6ed5776c2c77770c7b62e5f9bc98d23ac90dd6d790e2285eb27d3de29',
  },
  'types/authorization.yaml': {
    tag: '2023.12.0',
    commit: '6baeb91c4',
    gitBlob: 'dc142d26e21acd2b407c4a0f31e02d44780cad4a',
    sha256: '07047bbca9f8e78af42551b757e6742f13d0ef0d920ab1d54c6b8809e230bbc9',
  },
  'types/energy.yaml': {
    tag: '2023.12.0',
    commit: '99df110e2',
    gitBlob: '2df0946bfaf0dab084788ba76a5074078eae0896',
    sha256: '49445d80673f4b00d5ff5762ac32f08a055b68afe9d1acbc133cc4ffdd93ddc5',
  },
  'types/energy_price_information.yaml': {
    tag: '2023.12.0',
    commit: '99df110e2',
    gitBlob: 'db4683062d802677293aa203999e7d64d946e479',
    sha256: '57a86a42833e4239d1b64845ec4437e60da9792167ba421aefd4b751cf632dff',
  },
  'types/evse_board_support.yaml': {
    tag: '2023.12.0',
    commit: 'e194737f0',
    gitBlob: 'e74a5b40dd894ab2a93044b76a3eee008b9d327c',
    sha256: 'cbbe41414102d45b4d24db661b4da2bbaef544c4f050db0981ba6e44946a3f79',
  },
  'types/evse_manager.yaml': {
    tag: '2023.12.0',
    commit: '26ac0ea0c',
    gitBlob: '43fe987549f8d8e36c2e5d3534df11c66d5e3b25',
    sha256: '15f23998b3a011b80aa4ee8de91fcad2f4a8643a6fa2ab1e37b5f253b3440143',
  },
  'types/iso15118_charger.yaml': {
    tag: '2023.12.0',
    commit: '54dd8f4b3',
    gitBlob: '9f031f5788a1392d513bfe38bc0ae3fbb8e4a407',
    sha256: '20729ce9a62a7f4f6e25423728a0c7ec78d5c335c79eacfb1a0842cbcea5d98a',
  },
  'types/powermeter.yaml': {
    tag: '2023.12.0',
    commit: 'c3f8a29e7',
    gitBlob: '6077c1938e80b9f178848f043d5d072bbd330dcb',
    sha256: 'c1fc9af16cd90c72e4eff26741785ba195375ed79dfc4f90e1357f5a0850ecdb',
  },
  'types/units.yaml': {
    tag: '2023.12.0',
    commit: '56e421c52',
    gitBlob: '24fbe638037dcec43db0b2070f4d25f92db45ce6',
    sha256: '8c50a45d1ec5e817f97d1e90c7bea050c7df7401c38067568a6f87cef1d2e6e2',
  },
  'interfaces/auth_token_validator.yaml': {
    tag: '2023.12.0',
    commit: '68c77fd28',
    gitBlob: '5c3cba7ca4fe39111dac2de13c126712a234ab9d',
    sha256: 'f5d58853a93339696bf77de92d23ed69660ce28b0507a7e1eb67c014fb9eb616',
  },
  'interfaces/auth_token_provider.yaml': {
    tag: '2023.12.0',
    commit: '805acb9f2',
    gitBlob: '822f709ed222151c68ce42a435982a19e645cd0e',
    sha256: '83ddde1ce07ba94286470a5b6fe393a4d821cbfeb8ade07b944103c5798ecb47',
  },
  'releases/2026.02.0/interfaces/auth_token_validator.yaml': {
    tag: '2026.02.0',
    commit: '6ef8e80b3',
    gitBlob: '14b8fd15f0e44db8526f002a2697f102d2f4fe66',
    sha256: 'd4632713b49c9c4e20cf7e8d4d56de256ecff4a1a242897ca272479fd96c326e',
  },
  'releases/2026.02.0/interfaces/auth_token_provider.yaml': {
    tag: '2026.02.0',
    commit: '18915ea9b',
    gitBlob: 'b29c4cb337e51e93ca98098f2cee22d0e2881245',
    sha256: 'a408de2a8330e2e8b148879a2a31c37106d51ae823cb855e33d7bf5c9e44d8ab',
  },
  'interfaces/external_energy_limits.yaml': {
    tag: '2023.12.0',
    commit: 'c04b7cc33',
    gitBlob: '99191e3c6e3fc2f4504b1af76b1f08c98fb94188',
    sha256: '63a803c2af63dadb44bc76c3040ced82b504a5fc39a8c4a39222a8b69e35e314',
  },
  'releases/2026.02.0/interfaces/external_energy_limits.yaml': {
    tag: '2026.02.0',
    commit: '7c6e5c7e2',
    gitBlob: '7095552892aa8d155c1646c95de014eccb5e469d',
    sha256: 'e54e8b2c323073e62e072841a31f615501b22b26d461a421e9f83876b40c9d5b',
  },
  'releases/2026.02.0/interfaces/evse_manager.yaml': {
    tag: '2026.02.0',
    commit: '606712b6c',
    gitBlob: 'f859d4ea4a5e54e0e6571ceb834d96334fe0a895',
    sha256: 'd28992f21d217a0567aa429ef5ca821e75906361f3a7d29003ffa40057d674d4',
  },
  'releases/2026.02.0/types/authorization.yaml': {
    tag: '2026.02.0',
    commit: '4d766452c',
    gitBlob: '4aab0db9563bba749f217940468bca4e1e6ae4a9',
    sha256: '1731d780f2d127afc882fcfed268066ac4763f77fd1f630f5141f9ae22b18700',
  },
  'releases/2026.02.0/types/energy.yaml': {
    tag: '2026.02.0',
    commit: 'deeb84368',
    gitBlob: 'e6969178be973c58b577eb545c9e90a62b8aa22a',
    sha256: '82b8d902618eb3927a7e34e8a641cb2a69db93e404c2b61320c62eab3c290d91',
  },
  'releases/2026.02.0/types/energy_price_information.yaml': {
    tag: '2026.02.0',
    commit: 'fd2e274b7',
    gitBlob: 'f34d6bbd604ae580f6139a00a5ee54b24e586cfd',
    sha256: 'b2284d75a2fc695150cb72e7262b4efa11a05b11b1cca382451643a9bb2be624',
  },
  'releases/2026.02.0/types/evse_board_support.yaml': {
    tag: '2026.02.0',
    commit: '74a9134e5',
    gitBlob: 'eaf9e33306d6acea1d8d50009e2d7eecb8551dbf',
    sha256: 'ab1fae1c0a60edbc6ab61fc57f938e31b3d9e54300af528dd80eee5312e3979d',
  },
  'releases/2026.02.0/types/evse_manager.yaml': {
    tag: '2026.02.0',
    commit: '606712b6c',
    gitBlob: 'b3736c72edbbd1ed9aa16c2f58822e0c42345d63',
    sha256: '529df42db1e0104c271985eb01e9ce9bef607c8e55f46f818c3abc9fd8a58a33',
  },
  'releases/2026.02.0/types/iso15118.yaml': {
    tag: '2026.02.0',
    commit: '206c9ae3c',
    gitBlob: 'a6e84e66e28135559f7471dce93ff298be361328',
    sha256: '74258b4fbf09357159fe4a5afc8364bbb9bbf9a9ed9a36e2f28c6cf7ce011fe3',
  },
  'releases/2026.02.0/types/powermeter.yaml': {
    tag: '2026.02.0',
    commit: 'df15348d1',
    gitBlob: '81261da2fb1e07bd431596146de8dd178fecadbd',
    sha256: '37cae475b16778b7eca641fcee4ecc6c71391d0072ff5c16e11a8a7d7ea9e632',
  },
  'releases/2026.02.0/types/temperature.yaml': {
    tag: '2026.02.0',
    commit: '7771a02be',
    gitBlob: '240cabb27dce03f66837d63700d8aa8370ee8f84',
    sha256: '4c0af04b3cece98f1309779c69dd61f3895c5cc7e0274a1c4d681155141d2cc4',
  },
  'releases/2026.02.0/types/text_message.yaml': {
    tag: '2026.02.0',
    commit: 'b60309e5f',
    gitBlob: '2c03c50ef98b8c7441342c7e669a794f3bf4fd40',
    sha256: 'f0b61d652646d875b7f32e3ccc77972059a4dc21b6dbfbe6dcc5dddbea498d86',
  },
  'releases/2026.02.0/types/units.yaml': {
    tag: '2026.02.0',
    commit: '56e421c52',
    gitBlob: '24fbe638037dcec43db0b2070f4d25f92db45ce6',
    sha256: '8c50a45d1ec5e817f97d1e90c7bea050c7df7401c38067568a6f87cef1d2e6e2',
  },
  'releases/2026.02.0/types/units_signed.yaml': {
    tag: '2026.02.0',
    commit: '70d113682',
    gitBlob: 'de8cbf3ceeaaf6537a85586336bf9c65e2b30bb1',
    sha256: '2cf1cd5c551cd55d7aee99e127efca9f805aa735caaa65a3ebf29d39a0762d18',
  },
  'interfaces/system.yaml': {
    tag: '2023.12.0',
    commit: '52a1184cc',
    gitBlob: '7363fdc5427f0bddc66dd9560961c08a6ef40764',
    sha256: '06e5ee18df178941bb1c54997d18b14546d18813a55e5a0a7dfebc5c53b7d672',
  },
  'types/system.yaml': {
    tag: '2023.12.0',
    commit: '4f5ab9839',
    gitBlob: 'dfb258e9c0709dc3347ae096b5be7002abedabff',
    sha256: '89d533841670ae79f4e991e88e87c64658a510f631977fcfeee98284e1b67883',
  },
  'releases/2026.02.0/interfaces/system.yaml': {
    tag: '2026.02.0',
    commit: 'f758fcdc9',
    gitBlob: 'd457175c3024c2ec8d3ae16dd673ac1536aace69',
    sha256: '4a5eb3f88d7934c3b7d0945aed369e4a6d95028a2c97d4e3090a0f73c1e0dcaf',
  },
  'releases/2026.02.0/types/system.yaml': {
    tag: '2026.02.0',
    commit: '59a72f9a4',
    gitBlob: '539cd024169cb802cbd6313e8a409d4b4799a9e3',
    sha256: '3b37e52da971d823e64bdad94d815a79816930588d3ad0a7d0eb5312cdbaa92f',
  },
  'interfaces/evse_security.yaml': {
    tag: '2023.12.0',
    commit: '6c3e62c4e',
    gitBlob: '23842f84ee42252d8b312fd8e7faaa290d7c194e',
    sha256: '2406c92420a1bc20c3b8e557f4fbd745e12188cefd46a74738560e8cc1d5fda5',
  },
  'types/evse_security.yaml': {
    tag: '2023.12.0',
    commit: 'cb032ae10',
    gitBlob: 'e05c2dc70d5857ad58d3e4d225d5fd7e2da55214',
    sha256: '6877aee7dd9ef4b0a5883b354c94ea4a7951309aa1d9a05932f4ada5b0f2672e',
  },
  'releases/2026.02.0/interfaces/evse_security.yaml': {
    tag: '2026.02.0',
    commit: '5aa830cfa',
    gitBlob: '66bd11388fbd9ae11b4a1c135cbf72f96aa7e5f0',
    sha256: 'e75f400204f7843cc39a0785618fa52d0348653a163f4e67a78304b5511a2dcf',
  },
  'releases/2026.02.0/types/evse_security.yaml': {
    tag: '2026.02.0',
    commit: '5aa830cfa',
    gitBlob: '5d39073044b03f2a4631d93871876e6155595a54',
    sha256: 'a80c92d4663bda33412bd32788ba446bc0eafeebcddad706db38e1f988bd133b',
  },
};

const root = projectRoot();

/** Every bundled YAML file: interfaces/ and types/ (the base release), and releases/<tag>/{interfaces,types}/. */
function bundledFiles(): string[] {
  const dirs = ['interfaces', 'types', ...BUNDLED_RELEASES.filter((r) => r !== BASE_RELEASE)
    .flatMap((r) => [`releases/${r}/interfaces`, `releases/${r}/types`])];
  return dirs.flatMap((dir) =>
    readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`)).sort();
}

/** The path inside everest-core that a bundled file was copied from. */
function sourcePath(path: string): string {
  return path.replace(/^releases\/[^/]+\//, '');
}

/** The id git gives the file's bytes as a blob (sha1 of `blob <length>\0<bytes>`). */
function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

test('every bundled definition file is pinned, and every pin is bundled', () => {
  assert.equal(bundledFiles(), Object.keys(PINS).sort());
});

test('every bundled definition file is byte for byte the everest-core file it is pinned to', () => {
  const differ: string[] = [];
  for (const [path, pin] of Object.entries(PINS)) {
    const bytes = readFileSync(join(root, path));
    assert.ok(sourcePath(path) !== path || pin.tag === BASE_RELEASE, `${path} lies in the base folders but is pinned to ${pin.tag}`);
    const blob = gitBlobId(bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (blob !== pin.gitBlob || sha !== pin.sha256) {
      differ.push(`${path} differs from everest-core ${pin.tag}:${sourcePath(path)} (git blob ${blob}, pinned ${pin.gitBlob}; sha256 ${sha}, pinned ${pin.sha256})`);
    }
  }
  assert.equal(differ, [], differ.join('\n'));
});

test('each folder holds one everest-core release (interfaces $ref the types of the same tag)', () => {
  for (const [path, pin] of Object.entries(PINS)) {
    const folderRelease = /^releases\/([^/]+)\//.exec(path)?.[1] ?? BASE_RELEASE;
    assert.is(pin.tag, folderRelease, `${path} is pinned to ${pin.tag} but lies in the folder of ${folderRelease}`);
  }
  assert.equal([...new Set(Object.values(PINS).map((p) => p.tag))].sort(), [...BUNDLED_RELEASES].sort());
});

test('every $ref of a bundled release resolves inside that release', () => {
  const missing: string[] = [];
  for (const release of BUNDLED_RELEASES) {
    const { interfaces, types } = bundledRelease(release);
    missing.push(...relaxUnresolvedRefs({ interfaces, types }, types).missing.map((ref) => `${release}: ${ref}`));
  }
  assert.equal(missing, []);
});

test.run();
