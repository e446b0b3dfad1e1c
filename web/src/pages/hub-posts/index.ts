// Posts and comments in the member area: a post card (like, edit, delete, pin), the composer, and a
// post's comments with one level of replies. Bodies arrive as HTML the server has already sanitized.
export { Comments } from './comments.tsx';
export { PostCard, PostComposer } from './posts.tsx';
export { isAccessLoss, MARKDOWN_HINT, toggledLike } from './shared.tsx';
