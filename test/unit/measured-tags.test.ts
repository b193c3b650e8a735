import assert from 'node:assert/strict';
import { withMeasuredTags } from '../../src/domain/classification';

const row = {
  state: 'QUARANTINE' as const,
  version: 1,
  classifierTags: ['country:us', 'npa:415', 'cap:voice', 'cap:sms', 'quality:unknown', 'clean:clean'],
  voiceCapable: true,
  smsCapable: true,
  mmsCapable: false,
  faxCapable: false,
  voiceEnabled: false,
  smsEnabled: false,
  mmsEnabled: false,
  faxEnabled: false,
  qualityScore: null,
  voiceCleanliness: 1,
  messagingCleanliness: 1,
};

describe('measured tags follow transitions', () => {
  it('a number on its way carries the capabilities it should have, so cap groupings count it', () => {
    assert.deepEqual(withMeasuredTags(row, {}, 'TESTING'), ['cap:sms', 'cap:voice', 'clean:clean', 'country:us', 'npa:415', 'quality:unknown']);
  });

  it('once offered, only what passed its tests: an SMS-only number loses cap:voice', () => {
    const tags = withMeasuredTags(row, { enabled: { voice: false, sms: true, mms: false, fax: false }, qualityScore: 0.9, voiceCleanliness: 0.3 }, 'AVAILABLE');
    assert.deepEqual(tags, ['cap:sms', 'clean:dirty', 'country:us', 'npa:415', 'quality:high']);
  });
});
