import { graphql } from '../gql'

export const Servers = graphql(`
  query Servers($first: Int!, $after: String, $filter: ServerFilter) {
    servers(first: $first, after: $after, filter: $filter, orderBy: { field: CREATED_AT, direction: DESC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          name
          status
          vcpus
          memoryMb
          diskGb
          error
          createdAt
          hypervisor
          project { id name }
          host { id name hypervisor }
          nics { id ipAddress }
          task { id kind status progress }
        }
      }
    }
  }
`)

export const ServerDetail = graphql(`
  query ServerDetail($id: ID!) {
    node(id: $id) {
      ... on Server {
        id
        name
        status
        vcpus
        memoryMb
        diskGb
        vncPort
        error
        createdAt
        project { id name }
        host { id name }
        nics { id mac ipAddress index network { id name cidr } }
        disks { id sizeGb bootIndex status }
        task { id kind status progress stage error }
      }
    }
  }
`)

export const ServerCreate = graphql(`
  mutation ServerCreate($input: ServerCreateInput!) {
    serverCreate(input: $input) {
      servers { id name status }
      task { id kind status progress stage }
      errors { field message code }
    }
  }
`)

export const ServerStart = graphql(`
  mutation ServerStart($id: ID!) {
    serverStart(input: { id: $id }) { server { id status } task { id } errors { field message code } }
  }
`)

export const ServerStop = graphql(`
  mutation ServerStop($id: ID!, $force: Boolean!) {
    serverStop(input: { id: $id, force: $force }) { server { id status } task { id } errors { field message code } }
  }
`)

export const ServerReboot = graphql(`
  mutation ServerReboot($id: ID!) {
    serverReboot(input: { id: $id }) { server { id status } task { id } errors { field message code } }
  }
`)

export const ServerDelete = graphql(`
  mutation ServerDelete($id: ID!) {
    serverDelete(input: { id: $id }) { server { id status } task { id } errors { field message code } }
  }
`)

export const Networks = graphql(`
  query Networks {
    networks(first: 100) { edges { node { id name cidr shared project { id name } } } }
  }
`)

export const SchedulerHosts = graphql(`
  query Hosts($first: Int!, $after: String) {
    hosts(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          name
          status
          enabled
          hypervisor
          arch
          cpus
          memoryMb
          vcpusUsed
          vcpusTotal
          memoryUsedMb
          memoryTotalMb
          storageUsedGb
          storageTotalGb
          serversCount
          lastHeartbeat
          zone { id name }
        }
      }
    }
  }
`)

export const HostServers = graphql(`
  query HostServers($hostId: ID!) {
    servers(first: 100, filter: { hostId: $hostId }) {
      totalCount
      edges { node { id name status project { id name } } }
    }
  }
`)

export const HostUpdate = graphql(`
  mutation HostUpdate($input: HostUpdateInput!) {
    hostUpdate(input: $input) { host { id status enabled } errors { field message code } }
  }
`)

export const Dashboard = graphql(`
  query Dashboard {
    all: servers(first: 1) { totalCount }
    running: servers(first: 1, filter: { status: RUNNING }) { totalCount }
    stopped: servers(first: 1, filter: { status: STOPPED }) { totalCount }
    pending: servers(first: 1, filter: { status: PENDING }) { totalCount }
    scheduling: servers(first: 1, filter: { status: SCHEDULING }) { totalCount }
    creating: servers(first: 1, filter: { status: CREATING }) { totalCount }
    error: servers(first: 1, filter: { status: ERROR }) { totalCount }
    tasks(first: 8, filter: { topLevel: true }) {
      edges { node { id kind status progress stage error actorName createdAt target { id type } } }
    }
  }
`)

export const Capacity = graphql(`
  query Capacity {
    hosts(first: 100) {
      totalCount
      edges { node { id status vcpusUsed vcpusTotal memoryUsedMb memoryTotalMb storageUsedGb storageTotalGb } }
    }
  }
`)

export const ResourceChanged = graphql(`
  subscription ResourceChanged($kind: String) {
    resourceChanged(kind: $kind) { kind id status }
  }
`)

export const ServerConsoleCreate = graphql(`
  mutation ServerConsoleCreate($id: ID!, $protocol: ConsoleProtocol!, $port: Int!) {
    serverConsoleCreate(input: { id: $id, protocol: $protocol, port: $port }) {
      url websocketUrl token expiresAt errors { field message code }
    }
  }
`)

export const ServerScreenshot = graphql(`
  mutation ServerScreenshot($id: ID!) {
    serverScreenshot(input: { id: $id }) {
      task { id status error }
      screenshot { mimeType dataUrl size takenAt }
      errors { field message code }
    }
  }
`)
