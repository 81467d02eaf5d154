// Preloaded into every test process (node --import): property tests draw their cases from one
// fixed seed, so `npm test` gives the same verdict on every run and machine. Set
// MEMINIT_FC_SEED to another integer to look elsewhere, or to "random" to explore; a failure
// prints the seed and path that reproduce it.
import fc from 'fast-check';

const given = process.env.MEMINIT_FC_SEED;
if (given !== 'random') {
  const seed = given === undefined || given === '' ? 20181105 : Number(given);
  if (!Number.isSafeInteger(seed)) {
    console.error(`MEMINIT_FC_SEED: expected an integer or "random", got "${given}"`);
    process.exit(2);
  }
  fc.configureGlobal({ seed });
}
