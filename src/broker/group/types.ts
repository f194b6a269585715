// What the group coordinator knows besides the messages themselves (whose types come from the message
// descriptions, src/protocol/messages/).

/** The connection a JoinGroup came on: DescribeGroups reports it for each member. */
export interface ConnectionContext {
  clientId: string;
  clientHost: string;
}

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';
