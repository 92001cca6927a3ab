/** One raw Kubernetes object (parsed YAML/JSON) and the file it came from, when known. */
export interface SourceObject {
  file?: string;
  object: unknown;
}
