/** A secret the server shows this once (an API key, a webhook signing secret): kept nowhere, with a copy button. */
import { useState } from 'preact/hooks';
import { Button } from './ui.js';

export function ShownOnce(props: { value: string; what: string; label: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div class="new-key" role="status">
      <p>
        <strong>Copy this {props.what} now:</strong> it is shown once and cannot be read back.
      </p>
      <div class="form-row">
        <input
          class="mono key-value"
          readOnly
          value={props.value}
          aria-label={props.label}
          onFocus={(e) => e.currentTarget.select()}
        />
        <Button variant="primary" onClick={copy}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </Button>
        <Button onClick={props.onDone}>Done</Button>
      </div>
      {copied === 'failed' ? <p class="hint">The browser refused the clipboard: select it and copy it.</p> : null}
    </div>
  );
}
