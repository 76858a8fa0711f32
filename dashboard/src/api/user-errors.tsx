/** A mutation's userErrors, each beside the input field it names (its path after "input"). */
export interface UserErrorEntry {
  field?: readonly string[] | null;
  message: string;
  code: string;
}

export function UserErrors({ errors }: { errors: readonly UserErrorEntry[] | undefined }) {
  if (!errors || errors.length === 0) return null;
  // Errors carry no id: each is keyed by what it says, and a repeat of the same error by its occurrence.
  const seen = new Map<string, number>();
  const keyed = errors.map((error) => {
    const said = `${error.code}|${error.field?.join('.') ?? ''}|${error.message}`;
    const repeat = seen.get(said) ?? 0;
    seen.set(said, repeat + 1);
    return { error, key: repeat === 0 ? said : `${said}#${repeat}` };
  });
  return (
    <ul className="user-errors" role="alert">
      {keyed.map(({ error, key }) => (
        <li key={key}>
          {error.field && error.field.length > 0 ? (
            <code>{error.field.filter((part) => part !== 'input').join('.')}</code>
          ) : null}{' '}
          {error.message} <small>({error.code})</small>
        </li>
      ))}
    </ul>
  );
}
