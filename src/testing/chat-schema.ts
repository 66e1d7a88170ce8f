/**
 * A small chat API in AppSync's schema language: the schema the CLI's `demo` and `serve` run,
 * and a starting point for trying the local AppSync. A module rather than a `.graphql` file so
 * that it ships in the package and loads in any runtime.
 */
export const CHAT_SCHEMA = /* GraphQL */ `
type Message {
  id: ID!
  room: String!
  text: String!
  createdAt: AWSDateTime
}

type Query {
  getMessage(id: ID!): Message
  listMessages: [Message]
}

type Mutation {
  createMessage(room: String!, text: String!): Message
}

type Subscription {
  onCreateMessage(room: String): Message @aws_subscribe(mutations: ["createMessage"])
}

schema {
  query: Query
  mutation: Mutation
  subscription: Subscription
}
`;
