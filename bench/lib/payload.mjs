/** The `data` frames every client receives: ~1 KB, shaped like a real AppSync mutation result. */
const text = 'x'.repeat(760);

export const QUERY = 'subscription OnCreateMessage { onCreateMessage { id room author text createdAt tags } }';

export function dataFrame(id) {
  return JSON.stringify({
    type: 'data',
    id,
    payload: {
      data: {
        onCreateMessage: {
          __typename: 'Message',
          id: '6f1c2a9e-4b7d-4c1a-9f3e-2d8b5e7a1c40',
          room: 'lobby',
          author: 'benchmark',
          text,
          createdAt: '2026-01-01T00:00:00.000Z',
          tags: ['a', 'b', 'c'],
        },
      },
    },
  });
}
