// Builders for the coordinator's answers, so that every error path fills every field the same way.

import { EMPTY_BYTES } from './member.js';
import type { JoinGroupResponse, JoinGroupResponseMember, SyncGroupResponse } from './types.js';

/** JoinGroup's ProtocolType/ProtocolName are nullable from v7; before that an absent one is "". */
function absentName(version: number): string | null {
  return version >= 7 ? null : '';
}

export function joinResponse(
  version: number,
  fields: {
    errorCode: number;
    memberId: string;
    generationId?: number;
    protocolType?: string | null;
    protocolName?: string | null;
    leader?: string;
    members?: JoinGroupResponseMember[];
  },
): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: fields.errorCode,
    generationId: fields.generationId ?? -1,
    protocolType: fields.protocolType ?? absentName(version),
    protocolName: fields.protocolName ?? absentName(version),
    leader: fields.leader ?? '',
    skipAssignment: false,
    memberId: fields.memberId,
    members: fields.members ?? [],
  };
}

export function joinError(version: number, errorCode: number, memberId: string): JoinGroupResponse {
  return joinResponse(version, { errorCode, memberId });
}

export function syncResponse(
  errorCode: number,
  assignment: Buffer = EMPTY_BYTES,
  protocolType: string | null = null,
  protocolName: string | null = null,
): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType, protocolName, assignment };
}
