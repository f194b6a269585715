// Builders for the coordinator's answers, so that every error path fills every field the same way.

import type { JoinGroupResponse, SyncGroupResponse } from '../../protocol/messages/index.js';
import { EMPTY_BYTES } from './member.js';

export function joinResponse(fields: {
  errorCode: number;
  memberId: string;
  generationId?: number;
  /** the group's protocol type (JoinGroup v7+ answer it); none (null) in an error */
  protocolType?: string | null;
  /** the generation's protocol; none ("") until one is chosen */
  protocolName?: string | null;
  leader?: string;
  members?: JoinGroupResponse['members'];
}): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: fields.errorCode,
    generationId: fields.generationId ?? -1,
    protocolType: fields.protocolType ?? null,
    protocolName: fields.protocolName ?? '',
    leader: fields.leader ?? '',
    skipAssignment: false,
    memberId: fields.memberId,
    members: fields.members ?? [],
  };
}

export function joinError(errorCode: number, memberId: string): JoinGroupResponse {
  return joinResponse({ errorCode, memberId });
}

/** The group's protocol as SyncGroup v5 answers it: null in an error. */
export interface SyncedProtocol {
  protocolType: string | null;
  protocolName: string | null;
}

const NO_PROTOCOL: SyncedProtocol = { protocolType: null, protocolName: null };

export function syncResponse(
  errorCode: number,
  assignment: Buffer = EMPTY_BYTES,
  protocol: SyncedProtocol = NO_PROTOCOL,
): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, ...protocol, assignment };
}
