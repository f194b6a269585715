// Errors of the schema registry API, with Confluent Schema Registry's error codes: the HTTP status is the
// first three digits of the code (40401 → 404, 42201 → 422, 50001 → 500; 409 stays 409).

export class RegistryError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  get httpStatus(): number {
    return this.errorCode < 1000 ? this.errorCode : Math.floor(this.errorCode / 100);
  }
}

export const subjectNotFound = (subject: string) => new RegistryError(40401, `Subject '${subject}' not found.`);
export const versionNotFound = (version: number | string) => new RegistryError(40402, `Version ${version} not found.`);
export const schemaNotFound = (what = '') =>
  new RegistryError(40403, `Schema ${what ? what + ' ' : ''}not found`.trim() + '.');
export const subjectSoftDeleted = (subject: string) =>
  new RegistryError(40404, `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`);
export const subjectNotSoftDeleted = (subject: string) =>
  new RegistryError(40405, `Subject '${subject}' was not deleted first before being permanently deleted`);
export const versionSoftDeleted = (subject: string, version: number) =>
  new RegistryError(
    40406,
    `Subject '${subject}' Version ${version} was soft deleted. Set permanent=true to delete permanently`,
  );
export const versionNotSoftDeleted = (subject: string, version: number) =>
  new RegistryError(
    40407,
    `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
  );
export const subjectConfigNotFound = (subject: string) =>
  new RegistryError(40408, `Subject '${subject}' does not have subject-level compatibility configured`);
export const incompatible = (messages: string[]) =>
  new RegistryError(
    409,
    `Schema being registered is incompatible with an earlier schema for subject: ${messages.join('; ')}`,
  );
export const invalidSchema = (detail: string) => new RegistryError(42201, `Invalid schema: ${detail}`);
export const invalidVersion = (version: string) =>
  new RegistryError(
    42202,
    `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
  );
export const invalidCompatibilityLevel = (level: unknown) =>
  new RegistryError(
    42203,
    `Invalid compatibility level ${JSON.stringify(level)}. Valid values are NONE, BACKWARD, FORWARD, FULL, BACKWARD_TRANSITIVE, FORWARD_TRANSITIVE and FULL_TRANSITIVE`,
  );
export const storeError = (detail: string) => new RegistryError(50001, `Error in the backend data store: ${detail}`);
export const referenceExists = (subject: string, version: number) =>
  new RegistryError(
    42206,
    `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`,
  );
