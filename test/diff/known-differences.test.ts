/**
 * Inputs where statsig-node 6.5.2 and Firstlight deliberately disagree (listed in the README). The
 * tests pin both sides: Firstlight gives what real SHA-256 gives (computed here independently with
 * node:crypto), and statsig-node gives something else. If either side changes, these fail.
 *
 * statsig-node hashes with its own bundled SHA-256 (dist/utils/Sha256.js), which gives wrong
 * digests for (a) the empty string and (b) some multi-byte UTF-8 inputs: when a 3-byte character
 * straddles a 64-byte block boundary and the message then needs an extra padding block (UTF-8
 * length mod 64 in 56..63). Firstlight computes real SHA-256, as statsig-node-core and node:crypto
 * do, so pass percentages, user buckets and ID-list lookups differ for those unit IDs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import { checkGate, parseSpecs } from '../../lib/index';
import { NodeReference } from '../support/reference';

const require = createRequire(import.meta.url);
const nodeHashing = require('statsig-node/dist/utils/Hashing') as { sha256HashBase64(s: string): string };
const refs: NodeReference[] = [];
after(() => refs.forEach((r) => r.shutdown()));

const SPEC_SALT = '7d1b6a3e-0000-4000-8000-000000000003';
const RULE_ID = '3jdTW54SQWbbxFFZJe7wYZ';
const cond = (type: string, operator: string | null, targetValue: unknown) => ({ type, operator, targetValue, field: null, additionalValues: {}, isDeviceBased: false, idType: 'userID' });
const gate = (name: string, passPercentage: number, condition: object) => ({
  name,
  type: 'feature_gate',
  salt: SPEC_SALT,
  enabled: true,
  defaultValue: false,
  idType: 'userID',
  entity: 'feature_gate',
  rules: [{ name: 'r', id: RULE_ID, salt: RULE_ID, passPercentage, returnValue: true, idType: 'userID', conditions: [condition] }],
});
const DCS = {
  has_updates: true,
  time: 1735689600000,
  feature_gates: [gate('half_rollout', 50, cond('public', null, null)), gate('listed', 100, cond('unit_id', 'in_segment_list', 'the_list'))],
  dynamic_configs: [],
  layer_configs: [],
  layers: {},
};

test('statsig-node SHA-256 differs from real SHA-256 for "" and some multi-byte inputs', () => {
  const real = (s: string) => createHash('sha256').update(s).digest('base64');
  assert.notEqual(nodeHashing.sha256HashBase64(''), real(''));
  // the pass-percentage hash input of the 21-character userID below: 123 UTF-8 bytes
  const key = `${SPEC_SALT}.${RULE_ID}.${'田'.repeat(21)}`;
  assert.notEqual(nodeHashing.sha256HashBase64(key), real(key));
  assert.equal(nodeHashing.sha256HashBase64('田'.repeat(21)), real('田'.repeat(21)));
});

/** What a 50% rollout decides with real SHA-256: first 8 bytes big-endian, mod 10000, < 5000. */
function realRolloutPasses(userID: string): boolean {
  const digest = createHash('sha256').update(`${SPEC_SALT}.${RULE_ID}.${userID}`).digest();
  return digest.readBigUInt64BE(0) % 10000n < 5000n;
}

test('50% rollout for long CJK userIDs: Firstlight buckets with real SHA-256, statsig-node does not', async () => {
  const ref = await NodeReference.create(DCS, { secret: 'secret-known-differences' });
  refs.push(ref);
  const specs = parseSpecs(DCS);
  for (const userID of ['田'.repeat(21), '田'.repeat(22), `uu${'田'.repeat(20)}`]) {
    const real = realRolloutPasses(userID);
    assert.equal(checkGate(specs, { userID }, 'half_rollout'), real, `Firstlight, userID ${userID}`);
    assert.equal(ref.gate({ userID }, 'half_rollout').value, !real, `statsig-node, userID ${userID}`);
  }
  // an ASCII control: both agree with real SHA-256
  assert.equal(checkGate(specs, { userID: 'user-1' }, 'half_rollout'), realRolloutPasses('user-1'));
  assert.equal(ref.gate({ userID: 'user-1' }, 'half_rollout').value, realRolloutPasses('user-1'));
});

test('ID list containing "": Firstlight finds the user with userID "", statsig-node never does', async () => {
  const idLists = { the_list: ['', 'someone'] };
  const ref = await NodeReference.create(DCS, { secret: 'secret-known-differences', idLists });
  refs.push(ref);
  const specs = parseSpecs(DCS, { idLists });
  assert.equal(checkGate(specs, { userID: '' }, 'listed'), true);
  assert.equal(ref.gate({ userID: '' }, 'listed').value, false);
  // both find a listed non-empty ID
  assert.equal(checkGate(specs, { userID: 'someone' }, 'listed'), true);
  assert.equal(ref.gate({ userID: 'someone' }, 'listed').value, true);
});
