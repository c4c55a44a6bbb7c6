export { freePort } from '../../../server/test/helpers/free-port.js';
