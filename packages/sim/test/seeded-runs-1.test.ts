import { describeSeeds } from './seeded-batches.js';

describeSeeds(1, 500);
