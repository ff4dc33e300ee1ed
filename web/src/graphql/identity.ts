import { graphql } from '../gql'

export const TokenCreate = graphql(`
  mutation TokenCreate($input: TokenCreateInput!) {
    tokenCreate(input: $input) {
      token
      expiresAt
      user { id name }
      errors { field message code }
    }
  }
`)

export const TokenRevoke = graphql(`
  mutation TokenRevoke {
    tokenRevoke(input: {}) { revoked errors { field message code } }
  }
`)

export const MeQuery = graphql(`
  query Me {
    me {
      user { id name }
      project { id name }
      roles
      permissions
      projects { id name domain signInName }
    }
  }
`)

export const Domains = graphql(`
  query Domains($first: Int!, $after: String) {
    domains(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name description enabled createdAt } }
    }
  }
`)

export const Projects = graphql(`
  query Projects($first: Int!, $after: String, $filter: ProjectFilter) {
    projects(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name description enabled createdAt domain { id name } } }
    }
  }
`)

export const Users = graphql(`
  query Users($first: Int!, $after: String, $filter: UserFilter) {
    users(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name email enabled createdAt domain { id name } } }
    }
  }
`)

export const Groups = graphql(`
  query Groups($first: Int!, $after: String) {
    groups(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name description createdAt domain { id name } } }
    }
  }
`)

export const Roles = graphql(`
  query Roles {
    roles(first: 100) { edges { node { id name description builtIn } } }
  }
`)

export const RoleAssignments = graphql(`
  query RoleAssignments($first: Int!, $after: String) {
    roleAssignments(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          system
          createdAt
          role { id name }
          user { id name }
          group { id name }
          project { id name }
          domain { id name }
        }
      }
    }
  }
`)

export const DomainCreate = graphql(`
  mutation DomainCreate($input: DomainCreateInput!) {
    domainCreate(input: $input) { domain { id name } errors { field message code } }
  }
`)

export const ProjectCreate = graphql(`
  mutation ProjectCreate($input: ProjectCreateInput!) {
    projectCreate(input: $input) { project { id name } errors { field message code } }
  }
`)

export const UserCreate = graphql(`
  mutation UserCreate($input: UserCreateInput!) {
    userCreate(input: $input) { user { id name } errors { field message code } }
  }
`)

export const GroupCreate = graphql(`
  mutation GroupCreate($input: GroupCreateInput!) {
    groupCreate(input: $input) { group { id name } errors { field message code } }
  }
`)

export const RoleAssignmentCreate = graphql(`
  mutation RoleAssignmentCreate($input: RoleAssignmentCreateInput!) {
    roleAssignmentCreate(input: $input) { roleAssignment { id } errors { field message code } }
  }
`)

export const RoleAssignmentDelete = graphql(`
  mutation RoleAssignmentDelete($input: RoleAssignmentDeleteInput!) {
    roleAssignmentDelete(input: $input) { deletedId errors { field message code } }
  }
`)
