/** The engine of an account: the server default, or one of the engines this server can run (GET /admin/v1/engines). */
import { admin } from '../api.js';
import { useLoad } from '../hooks.js';
import type { Engine } from '../types.js';
import { Field } from './ui.js';

function describe(engine: Engine): string {
  const notes = [
    engine.default ? 'default' : null,
    engine.hosted ? 'hosted' : null,
    engine.licence === 'non-commercial' ? 'non-commercial' : null,
  ].filter(Boolean);
  return notes.length ? `${engine.name} (${notes.join(', ')})` : engine.name;
}

export function EngineSelect(props: { value: string; onChange: (engine: string) => void }) {
  const engines = useLoad(() => admin.get<{ data: Engine[] }>('/engines').then((r) => r.data), []);
  const list = engines.data ?? [];
  // An engine set earlier that this server cannot run now (its settings were removed) stays visible as it is.
  const unknown = props.value !== '' && engines.data !== null && !list.some((e) => e.name === props.value);
  return (
    <Field
      label="Engine"
      hint={
        engines.error
          ? 'The engine list could not be loaded.'
          : unknown
            ? 'This server cannot run this engine now: its try-ons fail until it is changed.'
            : undefined
      }
    >
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">Server default</option>
        {unknown ? <option value={props.value}>{props.value} (not available)</option> : null}
        {list.map((engine) => (
          <option key={engine.name} value={engine.name}>
            {describe(engine)}
          </option>
        ))}
      </select>
    </Field>
  );
}
