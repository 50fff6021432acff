/** The application frame. The worklist, import and sharing features mount here. */
export function App() {
  return (
    <main className="app" aria-label="Studyshare">
      <header className="app-header">
        <h1>Studyshare</h1>
      </header>
    </main>
  );
}
