/** Where agents push updates, under our public base URL (A2A_PUBLIC_URL). */
export const A2A_PUSH_PATH = '/a2a/push';
