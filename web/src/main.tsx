import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GatehouseUi } from './GatehouseUi.js';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GatehouseUi />
  </StrictMode>,
);
