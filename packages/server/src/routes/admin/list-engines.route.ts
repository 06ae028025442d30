import { z } from 'zod';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { ACCOUNT_ENGINES, missingForEngine } from '../../services/engine-choice.js';
import { adminErrors } from './shapes.js';

export const listEnginesRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/engines`,
  operationId: 'adminListEngines',
  summary: 'The engines an account can be set to',
  description: 'Only those this server can run; `default` marks the deployment default (ENGINE).',
  tags: ['Admin: accounts'],
  auth: true,
  responses: {
    200: {
      description: 'The engines',
      schema: z.object({ data: z.array(z.object({ name: z.string(), default: z.boolean() })) }),
    },
    ...adminErrors(),
  },
  async handler({ deps }) {
    const runnable = ACCOUNT_ENGINES.filter((name) => missingForEngine(name, deps.config) === null);
    return { data: runnable.map((name) => ({ name, default: name === deps.config.engine })) };
  },
});
