// The error of a request that names something that does not exist (answered `not-found`).
export class NotFoundError extends Error {}
