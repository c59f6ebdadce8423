import { html } from 'htm/preact';
import type { Ref } from 'preact';
import { humanize } from '../../shared/field-labels';

/**
 * 'decimal': a text box for a decimal number, typed with a point or a comma. A number box would hand
 * back an empty value for what the browser cannot read ("-", "12,5" in some locales), so a typed value
 * would be lost without a word.
 */
export type FieldType = 'text' | 'password' | 'number' | 'decimal' | 'date' | 'datetime-local' | 'tel' | 'url' | 'select' | 'textarea';

export interface FieldProps {
  /** Unique in the page: becomes the control's id, and its name for errors from the core. */
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  type?: FieldType;
  error?: string | undefined;
  hint?: string;
  required?: boolean;
  options?: readonly string[];
  /** Label of the empty choice of a select; without it a select has no empty choice. */
  emptyOption?: string;
  inputRef?: Ref<HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement>;
  autoComplete?: string;
  step?: string;
  /** The most characters the record takes (TEXT_LIMITS): typing stops there. */
  maxLength?: number;
  readOnly?: boolean;
  wide?: boolean;
  /** Values offered as the person types (a datalist): any other value may still be typed. */
  suggestions?: readonly string[];
  /** The control the screen focuses when it opens. */
  autoFocus?: boolean;
}

/** A labelled control with its hint and inline error, wired for screen readers. */
export function Field(props: FieldProps) {
  const { id, label, value, onValue, type = 'text', error, hint, required, options = [], inputRef } = props;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const suggestionsId = props.suggestions ? `${id}-suggestions` : undefined;
  const common = {
    id,
    name: id,
    ref: inputRef,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': describedBy,
    'aria-required': required ? 'true' : undefined,
    class: error ? 'control invalid' : 'control',
    'data-autofocus': props.autoFocus ? '' : undefined,
    maxlength: props.maxLength,
  };
  const onInput = (event: Event) => onValue((event.currentTarget as HTMLInputElement).value);
  let control;
  if (type === 'select') {
    control = html`<select ...${common} value=${value} onChange=${onInput}>
      ${props.emptyOption !== undefined ? html`<option value="">${props.emptyOption}</option>` : null}
      ${options.map((option) => html`<option value=${option} selected=${option === value}>${humanize(option)}</option>`)}
    </select>`;
  } else if (type === 'textarea') {
    control = html`<textarea ...${common} rows="3" value=${value} onInput=${onInput}></textarea>`;
  } else {
    control = html`<input
      ...${common}
      type=${type === 'decimal' ? 'text' : type}
      inputmode=${type === 'decimal' ? 'decimal' : undefined}
      value=${value}
      onInput=${onInput}
      autocomplete=${props.autoComplete ?? 'off'}
      step=${props.step}
      readonly=${props.readOnly}
      list=${suggestionsId}
    />${props.suggestions ? html`<datalist id=${suggestionsId}>${props.suggestions.map((value) => html`<option value=${value} />`)}</datalist>` : null}`;
  }
  return html`<div class=${props.wide ? 'field wide' : 'field'}>
    <span class="label-row"><label for=${id}>${label}</label>${required ? html`<span class="required" aria-hidden="true">*</span>` : null}</span>
    ${control}
    ${hint ? html`<p class="hint" id=${hintId}>${hint}</p>` : null}
    ${error ? html`<p class="field-error" id=${errorId}>${error}</p>` : null}
  </div>`;
}
