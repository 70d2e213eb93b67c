#!/usr/bin/env node
/**
 * npm run sim -- --seeds N [--from S]   runs N random scenarios, prints failing seeds
 * npm run sim -- --seed S [--quiet]     replays one scenario with its readable trace
 */
import { parseArgs } from 'node:util';
import { formatTrace } from './format-trace.js';
import { runScenario } from './scenario.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    seed: { type: 'string' },
    from: { type: 'string', default: '1' },
    quiet: { type: 'boolean', default: false },
  },
});

if (values.seed !== undefined) {
  const result = await runScenario(Number(values.seed));
  console.log(formatTrace(result.trace, { deliveries: !values.quiet }));
  console.log(`\nseed ${result.seed}: ${result.summary}; trace hash ${result.hash}`);
  if (result.violation) {
    console.log(`VIOLATION of ${result.violation.property}: ${result.violation.detail}`);
    process.exitCode = 1;
  } else console.log('every property held');
} else {
  const count = Number(values.seeds ?? '100');
  const from = Number(values.from);
  const started = Date.now();
  let failures = 0;
  for (let seed = from; seed < from + count; seed++) {
    const result = await runScenario(seed);
    if (result.violation) {
      failures += 1;
      console.log(`seed ${seed} FAILED ${result.violation.property}: ${result.violation.detail}`);
      console.log(`  replay: npm run sim -- --seed ${seed}`);
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${count - failures} passed, ${failures} failed (${count} seeds from ${from}, ${seconds} s)`);
  if (failures > 0) process.exitCode = 1;
}
