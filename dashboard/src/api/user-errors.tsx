/** A mutation's userErrors, each beside the input field it names (its path after "input"). */
export interface UserErrorEntry {
  field?: readonly string[] | null;
  message: string;
  code: string;
}

export function UserErrors({ errors }: { errors: readonly UserErrorEntry[] | undefined }) {
  if (!errors || errors.length === 0) return null;
  return (
    <ul className="user-errors" role="alert">
      {errors.map((error, index) => (
        <li key={index}>
          {error.field && error.field.length > 0 ? (
            <code>{error.field.filter((part) => part !== 'input').join('.')}</code>
          ) : null}{' '}
          {error.message} <small>({error.code})</small>
        </li>
      ))}
    </ul>
  );
}
