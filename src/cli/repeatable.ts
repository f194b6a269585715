// commander's argument parser for an option given more than once (--header k=v --header k2=v2): each value
// is added to the list so far.

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
