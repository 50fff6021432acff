/** What a queued operation does, in words (the hub dialog's refusals and the Sync panel). */
export const OPERATION_WORDS: Readonly<Record<string, string>> = {
  'share.create': 'Share',
  'share.remove': 'Removing a share',
  'study.publish': 'Putting a study on the hub',
  'study.private': 'Marking a study private',
  'collection.add': 'Adding a study to a collection',
  'collection.remove': 'Taking a study out of a collection',
  'sync.discard': 'Recording a discarded change',
};
