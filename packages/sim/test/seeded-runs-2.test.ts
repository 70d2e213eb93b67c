import { describeSeeds } from './seeded-batches.js';

describeSeeds(251, 250);
