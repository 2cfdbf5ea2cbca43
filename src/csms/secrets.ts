// The Basic auth password of security profiles 1 and 2: SecurityCtrlr BasicAuthPassword, a WriteOnly
// variable that get_variables never answers (src/ocpp/get-variables.ts), so it cannot be read through the
// service. libocpp reads it internally (device_model.cpp get_variable with allow_write_only); TsOcpp
// reads it the same way, from the committed device model, through one read-only prepared statement.
// The value is read at each connect (so a new password applies at the next one) and never logged.
import Database from 'better-sqlite3';

export interface SecretReader {
  basicAuthPassword(): string | undefined;
  close(): void;
}

const SELECT_PASSWORD = `
  SELECT a.value AS value
    FROM attributes a
    JOIN variables v ON v.id = a.variable_id
    JOIN components c ON c.id = v.component_id
   WHERE c.name = 'SecurityCtrlr' AND c.instance IS NULL AND c.evse_id IS NULL AND c.connector_id IS NULL
     AND v.name = 'BasicAuthPassword' AND v.instance IS NULL
     AND a.type = 'Actual'`;

/** A read-only connection to the device model file the OCPP service owns (WAL lets it read beside it). */
export function openSecretReader(dbPath: string): SecretReader {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const st = db.prepare<[], { value: string | null }>(SELECT_PASSWORD);
  let closed = false;
  return {
    basicAuthPassword() {
      if (closed) return undefined;
      const v = st.get()?.value;
      return v === null || v === undefined || v === '' ? undefined : v;
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
