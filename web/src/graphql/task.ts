import { graphql } from '../gql'

export const Tasks = graphql(`
  query Tasks($first: Int!, $after: String, $filter: TaskFilter) {
    tasks(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          kind
          status
          progress
          stage
          error
          actorName
          createdAt
          finishedAt
          target { id type }
          subtasks { id kind status progress stage error target { id type } }
        }
      }
    }
  }
`)

export const TaskUpdated = graphql(`
  subscription TaskUpdated($id: ID!) {
    taskUpdated(id: $id) {
      id
      kind
      status
      progress
      stage
      error
      finishedAt
      subtasks { id kind status progress stage error target { id type } }
    }
  }
`)

export const TaskFeed = graphql(`
  subscription TaskFeed($projectId: ID) {
    tasks(projectId: $projectId) { id kind status progress stage error parent { id } }
  }
`)

export const TaskCancel = graphql(`
  mutation TaskCancel($id: ID!) {
    taskCancel(input: { id: $id }) { task { id cancelRequested } errors { field message code } }
  }
`)
