import { z } from 'zod';
import { capabilitiesOf, HOSTED_ENGINES } from '../../config-engines.js';
import { ADMIN_PREFIX } from '../../http/admin.js';
import { defineRoute } from '../../http/route.js';
import { ACCOUNT_ENGINES, missingForEngine } from '../../services/engine-choice.js';
import { adminErrors } from './shapes.js';

const EngineInfo = z.object({
  name: z.string(),
  default: z.boolean(),
  hosted: z.boolean().describe('The try-on is sent to another service (FASHN, a model behind OIP, Replicate, …)'),
  categories: z.array(z.enum(['upper', 'lower', 'dress'])).describe('The garment categories it dresses'),
  maxSide: z.number().int().nullable().describe('The longest side of the person photo it takes; null: any'),
  licence: z.enum(['commercial', 'non-commercial']).describe("The licence of the model's weights"),
});

export const listEnginesRoute = defineRoute({
  method: 'GET',
  url: `${ADMIN_PREFIX}/engines`,
  operationId: 'adminListEngines',
  summary: 'The engines an account can be set to',
  description:
    'Only those this server can run, with what each can do; `default` marks the deployment default (ENGINE).',
  tags: ['Admin: accounts'],
  auth: true,
  responses: {
    200: { description: 'The engines', schema: z.object({ data: z.array(EngineInfo) }) },
    ...adminErrors(),
  },
  async handler({ deps }) {
    const runnable = ACCOUNT_ENGINES.filter((name) => missingForEngine(name, deps.config) === null);
    return {
      data: runnable.map((name) => ({
        name,
        default: name === deps.config.engine,
        hosted: HOSTED_ENGINES.includes(name),
        ...capabilitiesOf(name, deps.config.engines),
      })),
    };
  },
});
