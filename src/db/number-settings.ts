// The one writer of `number_settings`: an account's own settings for a number
// it holds (friendly name, voice / messaging / status-callback URLs and
// methods). They live off the endpoints row, so changing them never touches
// the state and version the endpoint's workflow compares and sets; a row
// counts only while its account holds the endpoint (readers join on the
// holder), and a new allocation starts without one (clearSettings).
import { Prisma } from './generated/client';
import type { Db } from './client';

/** The settings an account may give a number; null clears one, absent leaves it. */
export interface SettingsPatch {
  friendlyName?: string | null;
  voiceUrl?: string | null;
  voiceMethod?: string | null;
  voiceFallbackUrl?: string | null;
  voiceFallbackMethod?: string | null;
  smsUrl?: string | null;
  smsMethod?: string | null;
  smsFallbackUrl?: string | null;
  smsFallbackMethod?: string | null;
  statusCallback?: string | null;
  statusCallbackMethod?: string | null;
}

/** SettingsPatch keys → column names */
export const SETTINGS_COLUMNS = {
  friendlyName: 'friendly_name',
  voiceUrl: 'voice_url',
  voiceMethod: 'voice_method',
  voiceFallbackUrl: 'voice_fallback_url',
  voiceFallbackMethod: 'voice_fallback_method',
  smsUrl: 'sms_url',
  smsMethod: 'sms_method',
  smsFallbackUrl: 'sms_fallback_url',
  smsFallbackMethod: 'sms_fallback_method',
  statusCallback: 'status_callback',
  statusCallbackMethod: 'status_callback_method',
} as const satisfies Record<keyof SettingsPatch, string>;

/**
 * Applies `patch` to the settings of the endpoint `address` if `accountId`
 * holds it now, in one statement; false when it does not. A row left by an
 * earlier holding (of any account) is started afresh, not patched.
 */
export async function saveSettings(db: Db, input: { address: string; accountId: string; patch: SettingsPatch }): Promise<boolean> {
  const given = (Object.keys(SETTINGS_COLUMNS) as (keyof SettingsPatch)[]).filter((k) => input.patch[k] !== undefined);
  const cols = given.map((k) => Prisma.raw(SETTINGS_COLUMNS[k]));
  const values = given.map((k) => Prisma.sql`${input.patch[k] ?? null}::text`);
  const updates = given.map((k) => {
    const col = Prisma.raw(SETTINGS_COLUMNS[k]);
    return Prisma.sql`${col} = EXCLUDED.${col}`;
  });
  // every other column of a row from an earlier holding is cleared: only this holding's settings count
  const stale = (Object.keys(SETTINGS_COLUMNS) as (keyof SettingsPatch)[])
    .filter((k) => !given.includes(k))
    .map((k) => {
      const col = Prisma.raw(SETTINGS_COLUMNS[k]);
      return Prisma.sql`${col} = CASE WHEN number_settings.account_id = EXCLUDED.account_id THEN number_settings.${col} END`;
    });
  const rows = await db.$queryRaw<{ ok: number }[]>`
    INSERT INTO number_settings (endpoint_id, account_id${cols.length ? Prisma.sql`, ${Prisma.join(cols, ', ')}` : Prisma.empty}, updated_at)
    SELECT id, account_id${values.length ? Prisma.sql`, ${Prisma.join(values, ', ')}` : Prisma.empty}, now()
      FROM endpoints WHERE address = ${input.address} AND account_id = ${input.accountId}
    ON CONFLICT (endpoint_id) DO UPDATE SET ${Prisma.join([...updates, ...stale, Prisma.sql`account_id = EXCLUDED.account_id`, Prisma.sql`updated_at = now()`], ', ')}
    RETURNING 1 AS ok`;
  return rows.length === 1;
}

/** Forgets an endpoint's settings (a new holding starts without any). */
export async function clearSettings(db: Db, address: string): Promise<void> {
  await db.$executeRaw`DELETE FROM number_settings WHERE endpoint_id = (SELECT id FROM endpoints WHERE address = ${address})`;
}
