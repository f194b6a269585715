// Builders for the coordinator's answers, so that every error path fills every field the same way.

import type { JoinGroupResponse, SyncGroupResponse } from '../../protocol/messages/index.js';
import { EMPTY_BYTES } from './member.js';

export function joinResponse(fields: {
  errorCode: number;
  memberId: string;
  generationId?: number;
  /** the generation's protocol; none ("") until one is chosen */
  protocolName?: string | null;
  leader?: string;
  members?: JoinGroupResponse['members'];
}): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: fields.errorCode,
    generationId: fields.generationId ?? -1,
    protocolName: fields.protocolName ?? '',
    leader: fields.leader ?? '',
    memberId: fields.memberId,
    members: fields.members ?? [],
  };
}

export function joinError(errorCode: number, memberId: string): JoinGroupResponse {
  return joinResponse({ errorCode, memberId });
}

export function syncResponse(errorCode: number, assignment: Buffer = EMPTY_BYTES): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, assignment };
}
