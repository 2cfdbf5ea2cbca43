// validate_token's shapes both ways (issue 17 item 2): a 2023.12 and a 2026.02 ProvidedIdToken become the same
// OCPP IdToken (C01), and the room's answer becomes each release's ValidationResult with parent id token,
// expiry, EVSEs and the personal message carried.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromProvidedToken, toValidationResult } from '../src/module/auth-token.js';
import type { Validation } from '../src/ocpp/auth/authorization.js';

test('C01 a 2023.12 token (string and id_token_type) and a 2026.02 token ({value, type}) give the same IdToken and EVSE ids', () => {
  const old = fromProvidedToken({ id_token: 'ABC', id_token_type: 'ISO15693', authorization_type: 'RFID', connectors: [2] });
  const now = fromProvidedToken({ id_token: { value: 'ABC', type: 'ISO15693' }, authorization_type: 'RFID', connectors: [2] });
  assert.equal(old, { idToken: { idToken: 'ABC', type: 'ISO15693' }, evseIds: [2] });
  assert.equal(now, old);
  assert.equal(fromProvidedToken({ id_token: 'X', authorization_type: 'RFID' }), { idToken: { idToken: 'X', type: 'ISO14443' } });
  assert.equal(fromProvidedToken({ id_token: { value: 'E', type: 'eMAID', additional_info: [{ value: 'v', type: 't' }] }, authorization_type: 'PlugAndCharge' }),
    { idToken: { idToken: 'E', type: 'eMAID', additionalInfo: [{ additionalIdToken: 'v', type: 't' }] } });
});

test('C01 the answer as each release\'s ValidationResult: parent id token, expiry, EVSEs, certificate status, personal message (2026.02 tariff_messages)', () => {
  const v: Validation = {
    source: 'csms', certificateStatus: 'Accepted',
    idTokenInfo: {
      status: 'Accepted', cacheExpiryDateTime: '2026-03-02T10:00:00.000Z', evseId: [1], groupIdToken: { idToken: 'FLEET', type: 'Central' },
      personalMessage: { format: 'UTF8', language: 'en', content: 'Hello' },
    },
  };
  assert.equal(toValidationResult(v, '2023.12'), {
    authorization_status: 'Accepted', certificate_status: 'Accepted', expiry_time: '2026-03-02T10:00:00.000Z', parent_id_token: 'FLEET', evse_ids: [1],
  });
  assert.equal(toValidationResult(v, '2026.02'), {
    authorization_status: 'Accepted', certificate_status: 'Accepted', expiry_time: '2026-03-02T10:00:00.000Z',
    parent_id_token: { value: 'FLEET', type: 'Central' }, evse_ids: [1], tariff_messages: [{ content: 'Hello', format: 'UTF8', language: 'en' }],
  });
  assert.equal(toValidationResult({ source: 'none', idTokenInfo: { status: 'Unknown' } }, '2026.02'), { authorization_status: 'Unknown', tariff_messages: [] });
});

test.run();
