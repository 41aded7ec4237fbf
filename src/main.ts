import { ConfigError, loadConfig, type Config } from './config.js';
import { runProcess, startBridge } from './lifecycle.js';
import { createLogger } from './observability/logger.js';
import { wire } from './wiring.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      // one readable line, no stack: the operator fixes .env and starts again
      console.error(`saas-bridge: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel, config.env === 'development' && process.stdout.isTTY);
runProcess(async () => startBridge(await wire(config, logger)));
