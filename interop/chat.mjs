/** The chat API both interop servers run (and the bench's fan-out section): schema, key, subscription. Loads nothing. */
export const API_KEY = 'da2-interopinteropinteropinterop';

export const SCHEMA = /* GraphQL */ `
  type Message {
    id: ID!
    room: String!
    text: String!
  }
  input CreateMessageInput {
    id: ID!
    room: String!
    text: String!
  }
  type Query {
    ping: String
  }
  type Mutation {
    createMessage(input: CreateMessageInput!): Message
  }
  type Subscription {
    onCreateMessage(room: String): Message @aws_subscribe(mutations: ["createMessage"])
  }
`;

export const ON_CREATE = 'subscription OnCreate($room: String) { onCreateMessage(room: $room) { id room text } }';
