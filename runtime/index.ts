/**
 * fsmc/runtime: what generated modules and applications import. An explicit export list;
 * nothing here imports the compiler.
 */
export type {
  ArcDefinition,
  Data,
  DataMode,
  FunctionSlot,
  JsRecord,
  MachineDefinition,
  MachineSettings,
  NetworkDefinition,
  PushDefinition,
  PushIsolation,
  ResourceBinding,
  ResourceDefinition,
  RetryPolicy,
  SchemaIssue,
  SlotFunction,
  StateDefinition,
  Strategy,
  TransactionMode,
  TransactionSettings,
  WritePath,
} from "./machine/definition.js";
export { DEFAULT_RETRY, DEFAULT_TRANSACTION } from "./machine/definition.js";
export type {
  AsyncMachine,
  BatchOptions,
  BatchProgress,
  Ctx,
  MachineOptions,
  ProcessOptions,
  RecordValidation,
  ResourceConfig,
  ResourceMap,
  ResourcesOf,
  RunResult,
  SyncMachine,
  TxControl,
} from "./machine/api.js";
export type {
  ContextBase,
  ContextFactory,
  EngineHooks,
  ErrorPhase,
  HookError,
  HookName,
  RunErrorEvent,
  RunEventBase,
  StateEvent,
  TransitionEvent,
} from "./machine/api.js";
export type { AcquireRetry, HealthReport, HealthStatus, PoolSettings, ResourceMetrics, ResourceProvider } from "./resources/types.js";
export type {
  ChatMessage,
  FilesystemHandle,
  HttpHandle,
  HttpRequestOptions,
  HttpResponse,
  LlmAnswer,
  LlmCallOptions,
  LlmHandle,
  LlmUsage,
  PostgresHandle,
  RunInfo,
  SqliteHandle,
  SqlParams,
  UpsertOptions,
  VectorHandle,
  VersionedUpdateOptions,
  VersionOptions,
  VectorHit,
  VectorItem,
  VectorSearchOptions,
} from "./resources/handles.js";
export { handleProvider } from "./resources/static.js";
export { type Lease, ResourceManager } from "./resources/manager.js";
export {
  CircuitOpenError,
  HttpStatusError,
  NotInstalledError,
  PathEscapeError,
  REDACTED,
  ResourceConfigError,
  ResourceError,
  ResourceManagerClosedError,
  ResourceTimeoutError,
  UnknownResourceError,
  VersionConflictError,
  type RowVersion,
  redact,
  secretsOf,
} from "./resources/errors.js";
export { type Clock, SimulatedClock, systemClock } from "./clock.js";
export {
  ConcurrentRecordUseError,
  FsmRuntimeError,
  FunctionNotFoundError,
  InvalidDefinitionError,
  MachineClosedError,
  NotImplementedError,
  NotSynchronousError,
  ResourceNotFoundError,
  ResourceUnavailableError,
  RetryableError,
  UnboundRoleError,
  ValidationError,
  errorText,
  isRetryable,
  isValidationError,
} from "./errors.js";
export { BUILTIN_CATALOGUE, BUILTIN_NAMES, builtin } from "./functions/registry.js";
export { AggregateLimitError, BuiltinInputError, BuiltinNotFoundError, BuiltinParamsError, DatabaseFunctionError, StreamFunctionError } from "./functions/errors.js";
export type { CommittedPart, DatabaseFailure } from "./functions/errors.js";
export type {
  BuiltinDatabaseTransformer,
  BuiltinInfo,
  BuiltinKind,
  BuiltinTransformer,
  BuiltinValidator,
  ValidatorResult,
} from "./functions/entry.js";
export type { ParamKind, ParamSpec, ParamSpecs } from "./functions/params.js";
export { defineMachine } from "./engine/define.js";
export { deepCopy } from "./modes/copy.js";
export type { ResumePoint, Sink, SinkPosition, Source, SourceItem, SourcePosition, StreamFormat } from "./streaming/types.js";
export { MAX_RAW_CHARS } from "./streaming/types.js";
export type { StreamFailure, StreamOptions, StreamResult, StreamStats } from "./streaming/executor.js";
export { type Checkpoint, readCheckpoint } from "./streaming/checkpoint.js";
export { openSource, postgresCursorSource, sqliteQuerySource, SourceOptionsError, SourceReadError, STREAM_DEFAULT_FORMAT } from "./streaming/sources/index.js";
export type { ColumnType, QuerySourceOptions, SourceInput, SourceOptions } from "./streaming/sources/index.js";
export {
  callbackSink,
  databaseSink,
  deadLetterSink,
  fileSink,
  formatOfPath,
  NO_STATE,
  routedSink,
  SinkClosedError,
  SinkConfigError,
  SinkItemError,
  SinkWriteError,
  stdoutSink,
  streamSink,
  UnroutedResultError,
} from "./streaming/sinks/index.js";
export type {
  CsvSinkOptions,
  DatabaseSinkOptions,
  DeadLetter,
  DeadLetterCounts,
  DeadLetterEntry,
  DeadLetterFileOptions,
  DeadLetterSink,
  FileSink,
  FileSinkOptions,
  RoutedCounts,
  RoutedItem,
  RoutedPosition,
  RoutedSink,
  RoutedSinkOptions,
  SinkFormat,
  StreamSinkOptions,
} from "./streaming/sinks/index.js";
