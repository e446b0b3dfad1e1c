export { accountsRoutes } from './accounts.routes.ts';
export { emailProblem, nameProblem } from './accounts.rules.ts';
export { type AuthService, createAuthService, LinkError } from './auth.service.ts';
export { API_KEY_PREFIX, createUsersService, type UsersService } from './users.service.ts';
