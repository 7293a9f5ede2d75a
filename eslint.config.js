// Lint: typed rules from typescript-eslint, plus the boundary rule of the mesh: a service never
// imports another service (nor does a lib import any service); they share only libs/ and proto.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SERVICES = ['partner-gateway', 'locations', 'authorization', 'sessions', 'tariffs', 'billing'];

const boundary = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: SERVICES.map((name) => `@voltmesh/${name}`).concat(SERVICES.map((name) => `@voltmesh/${name}/*`)),
          message: 'Services never import each other (or are imported by libs): share code through libs/ or talk over gRPC/Kafka.',
        },
        {
          regex: `^(\\.\\./)+(services/)?(${SERVICES.join('|')})/`,
          message: 'Services never import each other: share code through libs/ or talk over gRPC/Kafka.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'libs/proto/src/gen/**', '.cache/**', '.voltmesh/**', '.voltmesh-test/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['services/**/*.ts', 'libs/**/*.ts'], rules: boundary },
);
