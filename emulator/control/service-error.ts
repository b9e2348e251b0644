// An error an operation answers with, as AWS names it: the HTTP status, the error code the SDKs
// and terraform read by name (ResourceNotFoundException, NoSuchEntity, …), and its message. Each
// protocol writes it in its own shape (query XML, JSON 1.1, REST-JSON, REST-XML).
// @see https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}
