import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAddress } from '../../src/domain/numbers';
import {
  CLEANLINESS_BANDS,
  DIMENSIONS,
  DIMENSION_NAMES,
  KEYPAD_WORDS,
  MAX_GROUPING_TAGS,
  QUALITY_BANDS,
  TagError,
  classify,
  inherentTags,
  lettersToDigits,
  matches,
  measuredTags,
  normaliseTags,
  parseTag,
  validateGrouping,
  vanityTags,
  type Measurements,
} from '../../src/domain/classification';

const NONE = { voice: false, sms: false, mms: false, fax: false };

function measured(over: Partial<Measurements> = {}): Measurements {
  return { enabled: NONE, qualityScore: null, voiceCleanliness: 1, messagingCleanliness: 1, ...over };
}

/** The vanity and word tags of a real number. */
function vanityOf(e164: string): string[] {
  return inherentTags(parseAddress(e164)).filter((t) => t.startsWith('vanity:') || t.startsWith('word:'));
}

function assertTagError(fn: () => unknown, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TagError, `expected TagError, got ${String(e)}`);
    assert.match(e.reason, reason);
    return true;
  });
}

function assertRefused(tags: string[], reason: RegExp): void {
  const r = validateGrouping(tags);
  assert.equal(r.ok, false, `expected ${JSON.stringify(tags)} to be refused`);
  assert.match(r.reason, reason);
}

describe('classification', () => {
  describe('DIMENSIONS', () => {
    it('splits dimensions into inherent and measured', () => {
      const by = (source: string) => DIMENSION_NAMES.filter((d) => DIMENSIONS[d].source === source);
      assert.deepEqual(by('inherent'), ['country', 'region', 'locality', 'tz', 'npa', 'nxx', 'kind', 'vanity', 'word']);
      assert.deepEqual(by('measured'), ['cap', 'quality', 'clean']);
    });

    it('marks only cap, vanity and word as multi-valued', () => {
      assert.deepEqual(
        DIMENSION_NAMES.filter((d) => DIMENSIONS[d].multiValued),
        ['vanity', 'word', 'cap'],
      );
    });
  });

  describe('keypad word list', () => {
    it('ships 300-1500 sorted, unique, lowercase words of 3-7 letters', () => {
      const lines = readFileSync(join(__dirname, '../../src/domain/keypad-words.txt'), 'utf8').trim().split('\n');
      assert.ok(lines.length >= 300 && lines.length <= 1500, `${lines.length} words`);
      for (const w of lines) assert.match(w, /^[a-z]{3,7}$/);
      assert.deepEqual(lines, [...new Set(lines)].sort());
      assert.deepEqual(KEYPAD_WORDS, lines);
    });

    it('contains the usual vanity words', () => {
      for (const w of ['call', 'cash', 'taxi', 'pizza', 'flowers', 'loans', 'cars', 'help', 'home', 'law', 'dent']) {
        assert.ok(KEYPAD_WORDS.includes(w), w);
      }
    });
  });

  describe('inherentTags', () => {
    it('tags a NANP number with country, npa, nxx (npa+nxx) and kind', () => {
      // 0123 ends the number: a sequence
      assert.deepEqual(inherentTags(parseAddress('+14155550123')), ['country:us', 'kind:fixed_line_or_mobile', 'npa:415', 'nxx:415555', 'vanity:sequence']);
    });

    it('adds the region when given, and refuses one that is not a tag value', () => {
      const p = parseAddress('+14155550179');
      assert.deepEqual(inherentTags(p, { region: 'us-ca' }), ['country:us', 'kind:fixed_line_or_mobile', 'npa:415', 'nxx:415555', 'region:us-ca']);
      assert.ok(inherentTags(p, { region: 'US-CA' }).includes('region:us-ca'));
      assert.ok(!inherentTags(p, { region: null }).some((t) => t.startsWith('region:')));
      assertTagError(() => inherentTags(p, { region: 'new york' }), /region: value must be letters, digits/);
      assertTagError(() => inherentTags(p, { region: 'ca' }), /region: value must be an ISO 3166-2 code/);
    });

    it('tags a non-NANP number without nxx', () => {
      assert.deepEqual(inherentTags(parseAddress('+442079460958')), ['country:gb', 'kind:fixed_line', 'npa:20']);
    });

    it('reads a non-NANP number by its last 6 digits, even when it has 10 like NANP', () => {
      // 20 7555 5512: the run of five 5s spans 7 digits, so it is no vanity in GB
      assert.deepEqual(inherentTags(parseAddress('+442075555512')), ['country:gb', 'kind:fixed_line', 'npa:20']);
      assert.deepEqual(vanityTags('2075555512'), ['vanity:repeated']); // guessed NANP by length
      assert.deepEqual(vanityTags('2075555512', { nanp: false }), []);
    });

    it('tags a GB mobile by its NDC', () => {
      assert.deepEqual(inherentTags(parseAddress('+447400123456')), [
        'country:gb',
        'kind:mobile',
        'npa:7400',
        'vanity:sequence',
        'vanity:word',
        'word:film', // 3456
      ]);
    });

    it('leaves out an npa of a single digit (FR 1)', () => {
      const tags = inherentTags(parseAddress('+33142685301'));
      assert.deepEqual(tags, ['country:fr', 'kind:fixed_line']);
    });

    it('tags a short code by country and kind only, still looking for vanity', () => {
      assert.deepEqual(inherentTags(parseAddress('US:12345')), ['country:us', 'kind:short_code', 'vanity:sequence']);
    });

    it('gives a SIP address only its kind, even with a region', () => {
      assert.deepEqual(inherentTags(parseAddress('sip:alice@example.com'), { region: 'us-ca', locality: 'San Francisco', timeZone: 'America/Los_Angeles' }), [
        'kind:sip',
      ]);
    });
  });

  describe('vanityTags', () => {
    it('finds none in an ordinary number', () => {
      assert.deepEqual(vanityOf('+14155550179'), []);
      assert.deepEqual(vanityOf('+442079460958'), []);
    });

    it('repeated: last 4 digits all the same', () => {
      assert.deepEqual(vanityOf('+14155557777'), ['vanity:repeated']);
      assert.deepEqual(vanityOf('+14155557177'), []);
    });

    it('repeated: a run of 5 in the subscriber part', () => {
      assert.deepEqual(vanityOf('+14155555512'), ['vanity:repeated']); // 555-5512
      assert.deepEqual(vanityOf('+14155551112'), []); // a run of 3 is not enough
      // the run must lie in the subscriber part: 555-55 straddling NPA and NXX does not count
      assert.deepEqual(vanityTags('5555512389'), []);
    });

    it('sequence: ascending, descending, from 0, but not wrapping', () => {
      assert.deepEqual(vanityOf('+14155551234'), ['vanity:sequence']);
      assert.deepEqual(vanityOf('+14155550123'), ['vanity:sequence']);
      assert.deepEqual(vanityOf('+14155559876'), ['vanity:sequence']);
      assert.deepEqual(vanityOf('+14155557890'), []);
      assert.deepEqual(vanityOf('+14155551235'), []);
    });

    it('round: the last 4 digits end in 00', () => {
      assert.deepEqual(vanityOf('+14155555000'), ['vanity:round']);
      assert.deepEqual(vanityOf('+14155551200'), ['vanity:round']);
      assert.deepEqual(vanityOf('+14155550100'), ['vanity:round']);
      assert.deepEqual(vanityOf('+14155551230'), []);
      assert.deepEqual(vanityOf('+14155551001'), []);
    });

    it('combines rules (0000 is repeated and round)', () => {
      assert.deepEqual(vanityOf('+14155550000'), ['vanity:repeated', 'vanity:round']);
    });

    it('word: a 7-letter word filling the subscriber part (800-FLOWERS)', () => {
      assert.deepEqual(vanityOf('+18003569377'), ['vanity:word', 'word:flowers']);
    });

    it('word: a 4-letter word in the last 4 digits (555-CASH, 555-HELP)', () => {
      assert.deepEqual(vanityOf('+14155552274'), ['vanity:word', 'word:cash']);
      assert.deepEqual(vanityOf('+14155554357'), ['vanity:word', 'word:help']);
    });

    it('word: only a suffix counts', () => {
      // 2274 (CASH) not at the end
      assert.deepEqual(vanityOf('+14152274555'), []);
    });

    it('word: 3-letter words are listed but never tagged', () => {
      assert.ok(KEYPAD_WORDS.includes('cab'));
      assert.deepEqual(vanityOf('+14155551222'), []); // ...1-222 = CAB
    });

    it('word: at most 3, longest first, then alphabetical', () => {
      // 247-7678: AIRPORT, and its suffixes SPORT and POST
      assert.deepEqual(vanityOf('+14152477678'), ['vanity:word', 'word:airport', 'word:post', 'word:sport']);
      assert.deepEqual(
        vanityTags('4152477678').filter((t) => t.startsWith('word:')),
        ['word:airport', 'word:sport', 'word:post'],
      );
      // 482-2537: TABLES, BAKER, BAKES, CAKES -> the last is dropped
      assert.deepEqual(
        vanityTags('4154822537').filter((t) => t.startsWith('word:')),
        ['word:tables', 'word:baker', 'word:bakes'],
      );
    });

    it('word: 0 and 1 spell nothing', () => {
      assert.deepEqual(
        vanityTags('4155550101').filter((t) => t.startsWith('word:')),
        [],
      );
    });

    it('returns nothing for fewer than 4 digits or non-digits', () => {
      assert.deepEqual(vanityTags('777'), []);
      assert.deepEqual(vanityTags(''), []);
      assert.deepEqual(vanityTags('555-7777'), []);
    });
  });

  describe('lettersToDigits', () => {
    it('maps letters by the E.161 keypad, case-insensitively', () => {
      assert.equal(lettersToDigits('FLOWERS'), '3569377');
      assert.equal(lettersToDigits('abcdefghijklmnopqrstuvwxyz'), '22233344455566677778889999');
      assert.equal(lettersToDigits('Pizza'), '74992');
    });

    it('keeps digits and *, drops everything else', () => {
      assert.equal(lettersToDigits('1-800-FLOWERS'), '18003569377');
      assert.equal(lettersToDigits('555-*CASH*'), '555*2274*');
      assert.equal(lettersToDigits('(415) #é! '), '415');
    });
  });

  describe('measuredTags', () => {
    it('tags each enabled capability', () => {
      const tags = measuredTags(measured({ enabled: { voice: true, sms: true, mms: false, fax: true } }));
      assert.deepEqual(
        tags.filter((t) => t.startsWith('cap:')),
        ['cap:voice', 'cap:sms', 'cap:fax'],
      );
      assert.deepEqual(
        measuredTags(measured()).filter((t) => t.startsWith('cap:')),
        [],
      );
    });

    it('bands quality at its edges', () => {
      const q = (qualityScore: number | null) => measuredTags(measured({ qualityScore })).find((t) => t.startsWith('quality:'));
      assert.deepEqual([QUALITY_BANDS.high, QUALITY_BANDS.medium], [0.8, 0.5]);
      assert.equal(q(1), 'quality:high');
      assert.equal(q(0.8), 'quality:high');
      assert.equal(q(0.7999), 'quality:medium');
      assert.equal(q(0.5), 'quality:medium');
      assert.equal(q(0.4999), 'quality:low');
      assert.equal(q(0), 'quality:low');
      assert.equal(q(null), 'quality:unknown');
    });

    it('bands cleanliness by the worse medium, at its edges', () => {
      const c = (voiceCleanliness: number, messagingCleanliness: number) =>
        measuredTags(measured({ voiceCleanliness, messagingCleanliness })).find((t) => t.startsWith('clean:'));
      assert.deepEqual([CLEANLINESS_BANDS.clean, CLEANLINESS_BANDS.fair], [0.8, 0.5]);
      assert.equal(c(1, 0.8), 'clean:clean');
      assert.equal(c(1, 0.7999), 'clean:fair');
      assert.equal(c(0.5, 1), 'clean:fair');
      assert.equal(c(0.4999, 1), 'clean:dirty');
      assert.equal(c(1, 0), 'clean:dirty');
    });
  });

  describe('classify', () => {
    it('is the sorted union of inherent and measured tags', () => {
      const tags = classify(
        parseAddress('+18003569377'),
        measured({ enabled: { voice: true, sms: true, mms: false, fax: false }, qualityScore: 0.9, messagingCleanliness: 0.6 }),
        { region: 'us-ca' },
      );
      assert.deepEqual(tags, [
        'cap:sms',
        'cap:voice',
        'clean:fair',
        'country:us',
        'kind:toll_free',
        'npa:800',
        'nxx:800356',
        'quality:high',
        'region:us-ca',
        'vanity:word',
        'word:flowers',
      ]);
    });
  });

  describe('parseTag', () => {
    it('splits a valid tag', () => {
      assert.deepEqual(parseTag('country:us'), { dimension: 'country', value: 'us' });
      assert.deepEqual(parseTag('region:us-ny'), { dimension: 'region', value: 'us-ny' });
      assert.deepEqual(parseTag('kind:fixed_line_or_mobile'), { dimension: 'kind', value: 'fixed_line_or_mobile' });
      assert.deepEqual(parseTag('npa:20'), { dimension: 'npa', value: '20' });
    });

    it('refuses malformed tags', () => {
      assertTagError(() => parseTag('country'), /^expected dimension:value$/);
      assertTagError(() => parseTag('npa:'), /^npa: value is empty$/);
      assertTagError(() => parseTag('Country:US'), /^tags are lowercase$/);
      assertTagError(() => parseTag('region:_x'), /^region: value must be letters, digits, _ and -/);
      assertTagError(() => parseTag('region:a:b'), /^region: value must be letters, digits, _ and -/);
    });

    it('refuses an unknown dimension, listing the known ones', () => {
      assertTagError(
        () => parseTag('colour:red'),
        /^unknown dimension "colour" \(one of country, region, locality, tz, npa, nxx, kind, vanity, word, cap, quality, clean\)$/,
      );
    });

    it('refuses a bad value, saying why', () => {
      assertTagError(() => parseTag('country:usa'), /^country: value must be an ISO 3166 alpha-2 code/);
      assertTagError(() => parseTag('country:zz'), /^country: unknown country "zz"$/);
      assertTagError(() => parseTag('npa:4'), /^npa: value must be 2-5 digits$/);
      assertTagError(() => parseTag('npa:415555'), /^npa: value must be 2-5 digits$/);
      assertTagError(() => parseTag('nxx:555'), /^nxx: value must be 6 digits/);
      assertTagError(() => parseTag('nxx:415055'), /^nxx: value must be 6 digits/);
      assertTagError(() => parseTag('kind:landline'), /^kind: value must be one of mobile, fixed_line, /);
      assertTagError(() => parseTag('vanity:pretty'), /^vanity: value must be one of repeated, sequence, round, word$/);
      assertTagError(() => parseTag('word:zzzz'), /^word: "zzzz" is not in the keypad word list$/);
      assertTagError(() => parseTag('word:cab'), /^word: value must be 4-7 letters/);
      assertTagError(() => parseTag('word:call2'), /^word: value must be letters$/);
      assertTagError(() => parseTag('cap:video'), /^cap: value must be one of voice, sms, mms, fax$/);
      assertTagError(() => parseTag('quality:great'), /^quality: value must be one of high, medium, low, unknown$/);
      assertTagError(() => parseTag('clean:spotless'), /^clean: value must be one of clean, fair, dirty$/);
    });

    it('names the tag in the message', () => {
      assert.throws(() => parseTag('npa:4'), { name: 'TagError', message: 'invalid tag "npa:4": npa: value must be 2-5 digits' });
    });
  });

  describe('normaliseTags', () => {
    it('lowercases, trims, dedupes and sorts', () => {
      assert.deepEqual(normaliseTags(['NPA:415', 'cap:sms', ' country:US ', 'npa:415', 'cap:sms', 'cap:mms']), ['cap:mms', 'cap:sms', 'country:us', 'npa:415']);
      assert.deepEqual(normaliseTags([]), []);
    });

    it('throws a TagError naming the bad tag', () => {
      assert.throws(
        () => normaliseTags(['country:us', 'npa:4']),
        (e: unknown) => e instanceof TagError && e.tag === 'npa:4' && /npa:4/.test(e.message),
      );
    });
  });

  describe('validateGrouping', () => {
    it('accepts and normalises a satisfiable grouping', () => {
      assert.deepEqual(validateGrouping(['Country:US', 'npa:415', 'nxx:415555', 'cap:sms', 'cap:voice', 'cap:sms']), {
        ok: true,
        tags: ['cap:sms', 'cap:voice', 'country:us', 'npa:415', 'nxx:415555'],
      });
    });

    it('lets multi-valued dimensions repeat, and word with any vanity', () => {
      for (const tags of [
        ['cap:voice', 'cap:fax'],
        ['vanity:round', 'vanity:repeated'],
        ['word:post', 'word:sport'],
        ['word:pizza', 'vanity:sequence'],
        ['country:ca', 'nxx:416555'],
        ['kind:short_code', 'country:us', 'vanity:sequence'],
      ]) {
        assert.equal(validateGrouping(tags).ok, true, JSON.stringify(tags));
      }
    });

    it('needs 1 to 8 tags (after dedup)', () => {
      assertRefused([], /^a grouping needs at least one tag$/);
      const nine = ['cap:voice', 'cap:sms', 'cap:mms', 'cap:fax', 'vanity:round', 'vanity:repeated', 'vanity:sequence', 'vanity:word', 'country:us'];
      assertRefused(nine, new RegExp(`^a grouping has at most ${MAX_GROUPING_TAGS} tags, got 9$`));
      assert.equal(validateGrouping([...nine.slice(0, 8), 'cap:voice']).ok, true);
    });

    it('refuses a malformed or unknown tag, naming it', () => {
      assertRefused(['country:us', 'colour:red'], /^invalid tag "colour:red": unknown dimension "colour"/);
      assertRefused(['npa:4'], /^invalid tag "npa:4": npa: value must be 2-5 digits$/);
    });

    it('refuses two values of a single-valued dimension', () => {
      for (const [a, b] of [
        ['country:ca', 'country:us'], // reported in sorted order
        ['region:us-ca', 'region:us-ny'],
        ['npa:212', 'npa:415'],
        ['nxx:415555', 'nxx:415556'],
        ['kind:mobile', 'kind:voip'],
        ['quality:high', 'quality:low'],
        ['clean:clean', 'clean:dirty'],
      ] as const) {
        const dim = a.split(':')[0]!;
        assertRefused([a, b], new RegExp(`^${a} and ${b} can never both match: an endpoint has one ${dim}$`));
      }
    });

    it('refuses an nxx that does not start with the npa', () => {
      assertRefused(['npa:212', 'nxx:415555'], /^nxx:415555 contradicts npa:212: an nxx value starts with its 3-digit npa$/);
      assertRefused(['npa:41', 'nxx:415555'], /contradicts npa:41/);
    });

    it('refuses an nxx outside NANP', () => {
      assertRefused(['country:gb', 'nxx:415555'], /^nxx:415555 contradicts country:gb: only NANP \(\+1\) numbers have an nxx$/);
    });

    it('refuses numbering tags on kinds that have none', () => {
      assertRefused(['kind:sip', 'country:us'], /^kind:sip contradicts country: a sip endpoint has no country$/);
      assertRefused(['kind:sip', 'word:pizza'], /^kind:sip contradicts word/);
      assertRefused(['kind:short_code', 'npa:415'], /^kind:short_code contradicts npa: a short_code endpoint has no npa$/);
    });
  });

  describe('matches', () => {
    const endpoint = classify(parseAddress('+18003569377'), measured({ enabled: { voice: true, sms: true, mms: false, fax: false }, qualityScore: 0.9 }));

    it('matches when every grouping tag is present', () => {
      assert.equal(matches(endpoint, ['country:us']), true);
      assert.equal(matches(endpoint, ['cap:sms', 'cap:voice', 'word:flowers', 'kind:toll_free']), true);
      assert.equal(matches(endpoint, []), true);
    });

    it('does not match when any grouping tag is missing', () => {
      assert.equal(matches(endpoint, ['country:us', 'cap:mms']), false);
      assert.equal(matches(endpoint, ['country:gb']), false);
      assert.equal(matches([], ['country:us']), false);
    });
  });
});
