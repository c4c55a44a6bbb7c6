export {
  ERROR_CODES,
  HTTP_STATUS_BY_CODE,
  CLOSE_CODES,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_PROTOBUF,
  closeActionFor,
} from './codes.js';
export type { ErrorCode, CloseAction, CloseCodeName } from './codes.js';
export {
  HubcastError,
  isHubcastError,
  badRequest,
  unauthorized,
  forbidden,
  notFound,
  rateLimited,
  limitExceeded,
  tooLarge,
  conflict,
  unavailable,
  internalError,
} from './errors.js';
export type { HubcastErrorOptions } from './errors.js';
export {
  MAX_NAME_CHARS,
  MAX_SEGMENTS,
  MAX_SEGMENT_CHARS,
  explainBadName,
  isValidChannel,
  isValidPattern,
  isValidOrg,
  isValidSegment,
  isWildcardPattern,
  personalOwner,
  personalChannel,
} from './channel.js';
export { matchPattern, coversPattern } from './pattern.js';
export { MAX_DATA_DEPTH_DEFAULT, jsonDepthExceeds } from './json-depth.js';
export {
  validateClientMessage,
  isValidCommandId,
  isObject,
  HISTORY_LIMIT_DEFAULT,
  HISTORY_LIMIT_MAX,
} from './validate.js';
export type { ValidationResult } from './validate.js';
export type { Codec, DecodedItem } from './codec/codec.js';
export { jsonCodec, splitJsonLines } from './codec/json.js';
export type * from './messages.js';
export {
  CHAT_TEXT_MAX_CHARS,
  CHAT_EXCERPT_CHARS,
  CHAT_CLIENT_ID_MAX_CHARS,
  CHAT_TITLE_MAX_CHARS,
  CHAT_EMOJI_MAX_CHARS,
  CHAT_MENTIONS_MAX,
  chatChannel,
  chatUserChannel,
  chatRoomOf,
} from './chat.js';
export type * from './chat.js';
