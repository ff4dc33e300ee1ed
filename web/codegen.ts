import type { CodegenConfig } from '@graphql-codegen/cli'

// Operation types come from the committed SDL: a schema change that breaks an operation
// the console sends fails `npm run build` (and `make test`).
const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown', ByteCount: 'number' },
        strictScalars: true,
      },
      presetConfig: { fragmentMasking: false },
    },
  },
  silent: true,
}

export default config
