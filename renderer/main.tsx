import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { startWorklist } from './features/worklist/worklist-store';
import './styles.css';

// The first page is requested before React renders, so the query and the first render overlap.
startWorklist();

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
