// The embeddable broker as other projects import it: `import { startBroker } from 'evt/broker'` (the
// "exports" of package.json). What this file exports is evt's public interface; nothing else in src/ is.

export { startBroker, type BrokerOptions, type RunningBroker } from './broker.js';
