/** The contract's base path (a Genlook integration's base URL ends in it) and where signed files are served under it. */
export const API_PREFIX = '/tryon/v1';
export const FILES_PATH = `${API_PREFIX}/files`;
