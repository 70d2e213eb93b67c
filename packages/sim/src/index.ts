/** @synchrony/sim: the deterministic simulator, its recorder and the property checker. */
export { Simulator, type SimulatorOptions } from './simulator.js';
export { SimNetwork, SimTransport } from './sim-network.js';
export { Random } from './random.js';
export { Recorder, type Trace, type TraceEvent } from './recorder.js';
export { checkProperties, type Violation } from './checker.js';
export { runScenario, type ScenarioResult } from './scenario.js';
