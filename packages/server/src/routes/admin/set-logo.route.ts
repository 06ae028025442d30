import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { readMultipart } from '../../http/multipart.js';
import { defineRoute } from '../../http/route.js';
import { setAccountLogo } from '../../services/logo.js';
import { AccountParams, AdminAccount, accountOut, adminErrors } from './shapes.js';

export const setLogoRoute = defineRoute({
  method: 'PUT',
  url: `${ADMIN_PREFIX}/accounts/:accountId/logo`,
  operationId: 'adminSetLogo',
  summary: "Set an account's watermark logo",
  description:
    'multipart/form-data with the image in `file` (JPEG, PNG, WebP or HEIC, at most 10 MB and 40 megapixels), checked ' +
    "and stored as the CLI's `accounts set-logo` does: as PNG (transparency kept), at most 1024 px a side. It replaces " +
    'the previous logo and marks every new result of the account.',
  tags: ['Admin: accounts'],
  auth: true,
  params: AccountParams,
  consumes: ['multipart/form-data'],
  fileField: 'file',
  body: z.object({ file: z.string().describe('The image file (binary)') }),
  responses: { 200: { description: 'The account', schema: AdminAccount }, ...adminErrors(400, 404, 413) },
  async handler({ req, params, deps }) {
    // The account first: a wrong id is 404 before 10 MB are read.
    await deps.accounts.found(params.accountId);
    if (!req.isMultipart()) throw new ApiError('FILE_REQUIRED');
    const { files } = await readMultipart(req, deps.config.maxUploadBytes);
    const file = files.get('file');
    if (!file) throw new ApiError('FILE_REQUIRED');
    await setAccountLogo(deps, params.accountId, file.data);
    return accountOut(await deps.accounts.found(params.accountId));
  },
});
