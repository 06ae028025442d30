export { ApiError, ERROR_CATALOGUE, type ErrorCode } from './errors.js';
