import { describeSeeds } from './seeded-batches.js';

describeSeeds(501, 500);
