// The update feed baked into the installers: BLOS_UPDATE_URL when they are built. Only https: the
// feed tells every installed PC what to download and run, so it must not travel in the clear.
const { z } = require('zod');

const feedSchema = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z
    .string()
    .refine((value) => URL.canParse(value) && new URL(value).protocol === 'https:', 'expected an https:// URL')
    .refine((value) => URL.canParse(value) && !new URL(value).username && !new URL(value).password, 'expected a URL without a user name or password')
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
);

/** The feed URL, or undefined for a build without updates; throws naming BLOS_UPDATE_URL when it is not https. */
function updateFeed(env) {
  const result = feedSchema.safeParse(env.BLOS_UPDATE_URL);
  if (result.success) return result.data;
  throw new Error(`BLOS_UPDATE_URL: ${result.error.issues.map((issue) => issue.message).join('; ')} (the address installed apps download updates from).`);
}

module.exports = { updateFeed };
